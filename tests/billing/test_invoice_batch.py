"""Invoices exported as one PDF from the invoice list: a few in the request, more as a file
job written a chunk at a time, each invoice the same document as its print view; only the
invoices the user may see."""

import pytest
from django.urls import reverse

from billing.models import Invoice
from oms.filejobs import file_job_run
from oms.models import FileJob
from orders import services as order_services
from tests.factories import UserFactory
from tests.shipping.test_batch_print import text_of

pytestmark = pytest.mark.django_db


def invoiced_orders(billing, run_hooks, count, *, salesperson=None, first=1):
    lamp = billing.product("88.00")
    billing.stock(lamp, billing.shanghai, 100)
    for seed in range(count):
        customer = billing.business(
            seed=first + seed, payment_terms="prepaid", salesperson=salesperson
        )
        with run_hooks():
            order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 1)))
    return list(Invoice.objects.exclude(number=None).order_by("number"))


@pytest.fixture
def finance_client(client):
    client.force_login(UserFactory(username="fin", role="finance"))
    return client


def test_a_few_invoices_come_back_as_one_pdf(billing, run_hooks, finance_client, tmp_path):
    invoices = invoiced_orders(billing, run_hooks, 3)
    response = finance_client.post(reverse("billing:invoice_batch"), {"filters": ""})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content, tmp_path)
    for invoice in invoices:
        assert invoice.number in text
        assert invoice.taxpayer_id in text


def test_the_filters_choose_the_invoices(billing, run_hooks, finance_client, tmp_path):
    invoices = invoiced_orders(billing, run_hooks, 3)
    wanted = invoices[1]
    response = finance_client.post(
        reverse("billing:invoice_batch"), {"filters": f"q={wanted.number}"}
    )
    text = text_of(response.content, tmp_path)
    assert wanted.number in text
    assert invoices[0].number not in text


def test_many_invoices_are_a_file_job(billing, run_hooks, finance_client, settings, tmp_path):
    settings.OMS_DOCUMENT_BATCH_INLINE_MAX = 2
    settings.OMS_DOCUMENT_BATCH_CHUNK = 2
    settings.OMS_FILE_JOB_DIR = tmp_path
    invoices = invoiced_orders(billing, run_hooks, 5)
    response = finance_client.post(reverse("billing:invoice_batch"), {"filters": ""})
    job = FileJob.objects.get()
    assert response.url == reverse("file_job", args=[job.pk])
    assert job.kind == "billing.invoices"
    assert file_job_run(job_id=job.pk) == "done"
    download = finance_client.get(reverse("file_job_download", args=[job.pk]))
    text = text_of(b"".join(download.streaming_content), tmp_path)
    assert [invoice.number for invoice in invoices] == sorted(
        n for n in (i.number for i in invoices) if n in text
    )


def test_nothing_to_print_is_said_and_nothing_started(billing, finance_client):
    response = finance_client.post(reverse("billing:invoice_batch"), {"filters": ""}, follow=True)
    assert "No issued invoice matches these filters." in response.content.decode()
    assert not FileJob.objects.exists()
