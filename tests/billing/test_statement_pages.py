"""The statement pages: upload, check, import, the imports and their lines, bank lines
confirmed from the page; and the same statement imported twice at the same moment."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from billing import remittances
from billing.models import BankStatement, BankStatementLine, CodRemittance, Payment
from shipping.models import Carrier
from tests.billing.test_statements import bank, dispatched_cod, open_invoice, statement
from tests.factories import UserFactory


@pytest.fixture
def finance_client(client, db):
    client.force_login(UserFactory(username="fin", role="finance"))
    return client


@pytest.fixture
def sf(db):
    return Carrier.objects.create(code="SF", name="SF Express", supports_cod=True)


def upload(text, name="statement.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.mark.django_db
def test_cod_statement_is_checked_then_imported_from_the_page(
    billing, run_hooks, sf, finance_client
):
    shipment = dispatched_cod(billing, run_hooks, "SF100")
    text = statement(
        ("SF100", shipment.cod_amount, "1.00", "2026-11-20"), ("SF404", 3, 0, "2026-11-20")
    )
    url = reverse("billing:cod_remittance_import")
    check = finance_client.post(url, {"carrier": sf.pk, "file": upload(text), "mode": "check"})
    assert check.status_code == 200
    page = check.content.decode()
    assert "Nothing was written yet" in page
    assert "Unknown tracking number" in page
    assert not Payment.objects.exists()
    done = finance_client.post(url, {"carrier": sf.pk, "file": upload(text), "mode": "import"})
    remittance = CodRemittance.objects.get()
    assert done.status_code == 302
    assert done["Location"] == remittance.get_absolute_url()
    detail = finance_client.get(done["Location"]).content.decode()
    assert "SF404" in detail
    assert Payment.objects.get().number in detail
    assert (
        "statement.csv"
        in finance_client.get(reverse("billing:cod_remittance_list")).content.decode()
    )


@pytest.mark.django_db
def test_a_file_that_is_not_text_is_refused_with_the_reason(sf, finance_client):
    response = finance_client.post(
        reverse("billing:cod_remittance_import"),
        {
            "carrier": sf.pk,
            "file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad"),
            "mode": "import",
        },
    )
    assert response.status_code == 422
    assert "not UTF-8" in response.content.decode()
    assert not CodRemittance.objects.exists()


@pytest.mark.django_db
def test_bank_lines_are_confirmed_from_the_statement_page(billing, run_hooks, finance_client):
    invoice = open_invoice(billing, run_hooks, seed=1)
    text = bank(
        ("2026-11-20", invoice.total, "X", "no reference"), ("2026-11-20", "5.00", "Y", "?")
    )
    response = finance_client.post(
        reverse("billing:bank_statement_import"), {"file": upload(text), "mode": "import"}
    )
    statement = BankStatement.objects.get()
    assert response["Location"] == statement.get_absolute_url()
    first, second = statement.lines.order_by("line_no")
    page = finance_client.get(statement.get_absolute_url()).content.decode()
    assert "No match found" in page
    # Nothing suggested: finance names the invoice.
    finance_client.post(
        reverse("billing:bank_line_confirm", args=[first.pk]), {"match": invoice.number.lower()}
    )
    invoice.refresh_from_db()
    assert invoice.amount_paid == invoice.total
    refused = finance_client.post(
        reverse("billing:bank_line_confirm", args=[second.pk]), {"match": "NOPE-1"}, follow=True
    )
    assert "neither an invoice number nor a customer code" in refused.content.decode()
    assert BankStatementLine.objects.get(pk=second.pk).payment is None
    finance_client.post(reverse("billing:bank_line_ignore", args=[second.pk]))
    assert Payment.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["sales", "warehouse", "customer_service"])
def test_only_finance_imports_and_confirms(client, role):
    client.force_login(UserFactory(username=f"u-{role}", role=role))
    for name in ("billing:cod_remittance_import", "billing:bank_statement_import"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("billing:bank_line_confirm", args=[1])).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_same_statement_imported_twice_at_once_is_recorded_once(billing, run_hooks, sf):
    finance = UserFactory(username="fin2", role="finance")
    shipments = [dispatched_cod(billing, run_hooks, f"SF{n}", seed=n) for n in range(1, 4)]
    text = statement(*[(s.tracking_number, s.cod_amount, "1.00", "2026-11-20") for s in shipments])
    barrier = threading.Barrier(2)
    reports = []

    def run():
        try:
            barrier.wait()
            reports.append(
                remittances.cod_remittance_import(
                    actor=finance, carrier=sf, text=text, file_name="a.csv", dry_run=False
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert CodRemittance.objects.count() == 1
    assert Payment.objects.count() == 3
    assert sorted(bool(report.remittance) for report in reports) == [False, True]
