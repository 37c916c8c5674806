"""Batch printing from the shipments list: a small batch comes back as the PDF, a bigger one
is rendered by a real Celery worker in chunks and joined into one PDF, read back with
pdftotext. A failed chunk fails the job and no file is served; the daily clean-up removes
day-old batches."""

import io
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from oms.choices import FileJobStatus
from oms.filejobs import file_job_run, file_jobs_clean_up
from oms.models import FileJob
from shipping import batch_print
from shipping.services import shipments_create_for_order
from tests.factories import UserFactory
from tests.oms.test_outbox_worker import celery_worker_process  # noqa: F401
from tests.security.test_batch_print import start_batch
from tests.shipping.conftest import Shipping


def make_shipments(shipping: Shipping, count: int) -> list:
    lamp = shipping.product(sku="CL-0501", name="星空吸顶灯 48W 金色")
    shipping.stock(lamp, shipping.shanghai, count * 2)
    shipments = []
    for n in range(count):
        order = shipping.allocated_order((lamp, 1 + n % 2))
        shipments += shipments_create_for_order(actor=None, order=order)
    return shipments


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "batch.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def warehouse_client(client):
    client.force_login(UserFactory(username="packer", role="warehouse"))
    return client


def test_a_small_batch_prints_in_the_request(shipping, warehouse_client, tmp_path):
    shipments = make_shipments(shipping, 3)
    response = warehouse_client.post(
        reverse("shipping:batch_print"),
        {"document": "packing-list", "scope": "chosen", "shipment": [s.pk for s in shipments]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content, tmp_path)
    for shipment in shipments:
        assert shipment.number in text
        assert f"PL-{shipment.number}" in text
    assert not FileJob.objects.exists()


def test_every_shipment_matching_the_filters(shipping, warehouse_client, tmp_path):
    shipments = make_shipments(shipping, 4)
    wanted = shipments[1]
    response = warehouse_client.post(
        reverse("shipping:batch_print"),
        {"document": "delivery-note", "scope": "all", "filters": f"q={wanted.number}"},
    )
    text = text_of(response.content, tmp_path)
    assert wanted.number in text
    assert shipments[0].number not in text


def test_nothing_chosen_or_an_unknown_document_is_refused(shipping, warehouse_client):
    shipments = make_shipments(shipping, 1)
    for data in (
        {"document": "packing-list", "scope": "chosen"},
        {"document": "invoice", "scope": "chosen", "shipment": [shipments[0].pk]},
        {"document": "packing-list", "scope": "chosen", "shipment": ["x", "-1", "999999"]},
    ):
        response = warehouse_client.post(reverse("shipping:batch_print"), data, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].startswith(reverse("shipping:list"))
        assert list(response.context["messages"])
    assert not FileJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_big_batch_is_one_pdf_rendered_by_the_worker_in_chunks(
    celery_worker_process,  # noqa: F811
    client,
    settings,
    tmp_path,
):
    settings.OMS_FILE_JOB_DIR = tmp_path / "exports"  # where the worker writes (its env)
    shipments = make_shipments(Shipping(), 25)
    client.force_login(UserFactory(username="packer", role="warehouse"))
    response = client.post(
        reverse("shipping:batch_print"),
        {"document": "packing-list", "scope": "chosen", "shipment": [s.pk for s in shipments]},
    )
    job = FileJob.objects.get()
    assert response.url == reverse("file_job", args=[job.pk])
    assert job.kind == "shipping.documents"

    seen = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.add(job.items_done)
        if job.status in (FileJobStatus.DONE, FileJobStatus.FAILED):
            break
        time.sleep(0.05)
    log = (tmp_path / "worker.log").read_text()[-3000:]
    assert job.status == FileJobStatus.DONE, log
    assert seen & {10, 20}, seen  # progress moved a chunk (of 10 in tests) at a time
    page = client.get(reverse("file_job", args=[job.pk]))
    assert "Download the PDF (25 documents)" in page.content.decode()

    download = client.get(reverse("file_job_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    pdf = b"".join(download.streaming_content)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 25  # a one-page packing list each
    text = text_of(pdf, tmp_path)
    for shipment in shipments:
        assert shipment.number in text
    assert not list(Path(settings.OMS_FILE_JOB_DIR).rglob("*.part"))


def test_a_failed_chunk_fails_the_job_and_serves_no_file(
    shipping, warehouse_client, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OMS_FILE_JOB_DIR = tmp_path
    settings.OMS_DOCUMENT_BATCH_CHUNK = 10
    shipments = make_shipments(shipping, 25)
    user = UserFactory(username="packer")
    job = start_batch(user, "label", [s.pk for s in shipments])
    real = batch_print.write_chunk
    calls = []

    def second_chunk_breaks(chunk, document, out):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise OSError("disk full")
        return real(chunk, document, out)

    monkeypatch.setattr(batch_print, "write_chunk", second_chunk_breaks)
    assert file_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == FileJobStatus.FAILED
    assert job.file_name == ""
    assert "disk full" in job.error
    assert list(tmp_path.rglob("*")) == []  # no part file, no chunk left behind
    warehouse_client.force_login(user)
    assert warehouse_client.get(reverse("file_job_download", args=[job.pk])).status_code == 404
    page = warehouse_client.get(reverse("file_job", args=[job.pk])).content.decode()
    assert "Printing did not finish" in page
    assert "/download/" not in page


def test_the_clean_up_removes_day_old_batches(shipping, settings, tmp_path):
    settings.OMS_FILE_JOB_DIR = tmp_path
    shipments = make_shipments(shipping, 2)
    user = UserFactory(username="packer", role="warehouse")
    job = start_batch(user, "packing-list", [s.pk for s in shipments])
    assert file_job_run(job_id=job.pk) == "done"
    job.refresh_from_db()
    path = tmp_path / job.file_name
    assert path.is_file()
    export = FileJob.objects.create(
        user=user, path="/orders/", list_name="orders:list", language="en", status="done"
    )
    assert file_jobs_clean_up() == 0  # both are fresh
    later = timezone.now() + timedelta(hours=25)
    assert file_jobs_clean_up(now=later) == 1  # a day on: the batch goes, the export stays
    assert not path.exists()
    assert list(FileJob.objects.values_list("pk", flat=True)) == [export.pk]
