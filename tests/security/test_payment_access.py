"""Who may see and record payments: finance and admin record, apply credit and refund; sales
see only their own customers' payments (OMS_SALES_OWN_CUSTOMERS_ONLY) and record nothing;
the warehouse sees none. Another customer's payment is a 404, as if it did not exist."""

from datetime import date

import pytest

from billing import services
from billing.models import Payment
from billing.payments import payment_record
from tests.security.test_billing_access import documents  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def payments(documents):  # noqa: F811
    made = {}
    for name in ("mine", "theirs"):
        invoice = documents[name]
        made[name] = payment_record(
            actor=None,
            customer=invoice.customer,
            amount=invoice.total,
            method="bank_transfer",
            received_on=date(2026, 11, 30),
            idempotency_key=f"key-{name}",
            reference=f"REF-{name.upper()}",
        )
    made["note"] = services.credit_note_create(
        actor=None, invoice=documents["mine"], quantities={1: 1}, note="broken"
    )
    return {**documents, **made, "note": made["note"]}


def test_sales_see_only_their_own_customers_payments(client, settings, payments):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    client.force_login(payments["sales"])
    assert client.get(f"/payments/{payments['mine'].pk}/").status_code == 200
    assert client.get(f"/payments/{payments['theirs'].pk}/").status_code == 404
    listing = client.get("/payments/").content.decode()
    assert "REF-MINE" in listing
    assert "REF-THEIRS" not in listing
    csv = b"".join(client.get("/payments/?export=csv").streaming_content).decode()
    assert "REF-MINE" in csv
    assert "REF-THEIRS" not in csv


def test_sales_cannot_record_apply_credit_or_refund(client, payments):
    client.force_login(payments["sales"])
    mine = payments["mine"]
    assert client.get("/payments/new/").status_code == 403
    response = client.post(
        "/payments/new/",
        {
            "form_token": "8f0c5a5e-1111-4c4c-9a9a-0000000000aa",
            "customer": mine.customer.code,
            "amount": "10.00",
            "method": "cash",
            "received_on": "2026-11-30",
        },
    )
    assert response.status_code == 403
    assert client.post(f"/customers/{mine.customer_id}/apply-credit/").status_code == 403
    assert client.get(f"/credit-notes/{payments['note'].pk}/refund/").status_code == 403
    assert client.post(f"/credit-notes/{payments['note'].pk}/refund/").status_code == 403
    assert Payment.objects.count() == 2


def test_warehouse_sees_no_payment(client_for, payments):
    client = client_for("warehouse")
    assert client.get("/payments/").status_code == 403
    assert client.get(f"/payments/{payments['mine'].pk}/").status_code == 403


def test_finance_records_payments_for_any_customer(client_for, payments, settings):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    client = client_for("finance")
    # Finance sees every customer: recording for either works.
    response = client.post(
        "/payments/new/",
        {
            "form_token": "8f0c5a5e-1111-4c4c-9a9a-0000000000ab",
            "customer": payments["theirs"].customer.code,
            "amount": "10.00",
            "method": "cash",
            "received_on": "2026-11-30",
        },
    )
    assert response.status_code == 302
    assert Payment.objects.count() == 3
