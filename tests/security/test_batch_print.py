"""Batch printing's rights: only users who may print shipment documents start a batch, a batch
holds only shipments its user may see (asked for by id or through the filters), and nobody but
its user (or an administrator) sees or downloads its file."""

import subprocess

import pytest
from django.urls import reverse

from oms.choices import FileJobStatus
from oms.filejobs import file_job_run
from oms.models import FileJob
from shipping import batch_print
from shipping.services import shipments_create_for_order
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping


@pytest.fixture
def two_customers(db, settings):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    shipping = Shipping()
    mine_rep = UserFactory(username="rep-mine", role="sales")
    their_rep = UserFactory(username="rep-theirs", role="sales")
    lamp = shipping.product(sku="CL-0501", name="星空吸顶灯 48W 金色")
    shipping.stock(lamp, shipping.shanghai, 10)
    mine = shipping.customer(salesperson=mine_rep, name="Mine Trading", code="MINE01")
    theirs = shipping.customer(salesperson=their_rep, name="Theirs Trading", code="THEIRS01")
    [my_shipment] = shipments_create_for_order(
        actor=None, order=shipping.allocated_order((lamp, 1), customer=mine)
    )
    [their_shipment] = shipments_create_for_order(
        actor=None, order=shipping.allocated_order((lamp, 2), customer=theirs)
    )
    return mine_rep, their_rep, my_shipment, their_shipment


def start_batch(user, document: str, ids: list[int]):
    return batch_print.batch_start(
        actor=user,
        document=document,
        shipment_ids=ids,
        path="/shipments/",
        query_string="",
        language="en",
    )


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "batch.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def test_another_users_shipments_are_left_out(two_customers, client, tmp_path):
    mine_rep, _their_rep, my_shipment, their_shipment = two_customers
    client.force_login(mine_rep)
    url = reverse("shipping:batch_print")
    response = client.post(
        url,
        {"document": "label", "scope": "chosen", "shipment": [my_shipment.pk, their_shipment.pk]},
    )
    text = pdf_text(response.content, tmp_path)
    assert my_shipment.number in text
    assert their_shipment.number not in text
    # Through the filters too: the list as this user sees it.
    response = client.post(url, {"document": "packing-list", "scope": "all", "filters": ""})
    text = pdf_text(response.content, tmp_path)
    assert my_shipment.number in text
    assert their_shipment.number not in text
    # Only shipments of someone else: nothing to print, nothing written.
    response = client.post(
        url, {"document": "label", "scope": "chosen", "shipment": [their_shipment.pk]}
    )
    assert response.status_code == 302
    assert not FileJob.objects.exists()


def test_a_user_who_may_not_print_is_refused(two_customers, client):
    _mine, _theirs, my_shipment, _their_shipment = two_customers
    client.force_login(UserFactory(username="no-role"))
    response = client.post(
        reverse("shipping:batch_print"),
        {"document": "label", "scope": "chosen", "shipment": [my_shipment.pk]},
    )
    assert response.status_code == 403
    client.logout()
    response = client.post(
        reverse("shipping:batch_print"),
        {"document": "label", "scope": "chosen", "shipment": [my_shipment.pk]},
    )
    assert response.status_code == 302
    assert "/login/" in response.url


def test_nobody_else_sees_or_downloads_a_batch(two_customers, client, settings, tmp_path):
    settings.OMS_FILE_JOB_DIR = tmp_path
    mine_rep, their_rep, my_shipment, _their_shipment = two_customers
    job = start_batch(mine_rep, "packing-list", [my_shipment.pk])
    assert file_job_run(job_id=job.pk) == "done"
    for url in (reverse("file_job", args=[job.pk]), reverse("file_job_download", args=[job.pk])):
        client.force_login(their_rep)
        assert client.get(url).status_code == 404
        client.force_login(mine_rep)
        assert client.get(url).status_code == 200


def test_rights_are_checked_again_when_the_worker_prints(two_customers, settings, tmp_path):
    """A user who lost the right between asking and printing gets no file."""
    settings.OMS_FILE_JOB_DIR = tmp_path
    mine_rep, _their_rep, my_shipment, _their_shipment = two_customers
    job = start_batch(mine_rep, "label", [my_shipment.pk])
    mine_rep.is_active = False
    mine_rep.save()
    assert file_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == FileJobStatus.FAILED
    assert "PermissionDenied" in job.error
    assert list(tmp_path.iterdir()) == []
