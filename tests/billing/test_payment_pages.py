"""The payment pages: the list with filters and CSV, a payment's page, the "Record payment"
form (prefilled from an invoice, bad amounts answered on the form, a double submit records
one payment), "Apply credit" and "Refund", the invoice's payments and the order's panel."""

from datetime import date
from decimal import Decimal

import pytest

from billing import services
from billing.choices import PaymentKind
from billing.models import Payment
from billing.payments import credit_balance, payment_record
from orders import services as order_services

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def invoice(billing):
    lamp = billing.product("100.00")
    billing.stock(lamp, billing.shanghai, 10)
    customer = billing.business(payment_terms="prepaid", name="Mingda Trading")
    order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 2)))
    [made] = services.order_bill(order_id=order.pk)
    return made


def post_payment(client, invoice, token, **overrides):
    data = {
        "form_token": token,
        "customer": invoice.customer.code,
        "amount": "50.00",
        "method": "bank_transfer",
        "received_on": "2026-11-30",
        "reference": "CMB-778",
        "payer": "明达贸易",
        "fee": "",
        "invoices": [invoice.pk],
        "note": "",
    }
    data.update(overrides)
    return client.post("/payments/new/", data)


def test_record_from_the_invoice_then_list_detail_csv_and_panels(client_for, invoice):
    client = client_for("finance")
    form = client.get(f"/payments/new/?invoice={invoice.pk}").content.decode()
    assert invoice.number in form
    assert f'value="{invoice.open_amount}"' in form
    token = "8f0c5a5e-1111-4c4c-9a9a-000000000001"
    response = post_payment(client, invoice, token)
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert response["Location"] == f"/payments/{payment.pk}/"
    # The same form sent again (a double click, a reload): the same payment, nothing new.
    again = post_payment(client, invoice, token)
    assert again.status_code == 302
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.amount_paid == D("50.00")

    listing = client.get("/payments/?q=CMB-778").content.decode()
    assert payment.number in listing
    assert "Mingda Trading" in listing
    csv = b"".join(client.get("/payments/?export=csv").streaming_content).decode()
    assert payment.number in csv
    assert "CMB-778" in csv
    detail = client.get(f"/payments/{payment.pk}/").content.decode()
    assert invoice.number in detail
    assert "明达贸易" in detail
    invoice_page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert payment.number in invoice_page
    order_page = client.get(invoice.order.get_absolute_url()).content.decode()
    assert payment.number in order_page
    assert "Balance" in order_page


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "more than zero"), ("-3", "more than zero"), ("1.234", "at most 2 decimals")],
)
def test_bad_amounts_are_answered_on_the_form(client_for, invoice, amount, message):
    client = client_for("finance")
    response = post_payment(client, invoice, "8f0c5a5e-1111-4c4c-9a9a-000000000002", amount=amount)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_over_payment_becomes_credit_that_finance_applies(client_for, invoice, billing):
    client = client_for("finance")
    post_payment(
        client, invoice, "8f0c5a5e-1111-4c4c-9a9a-000000000003", amount="1000.00", invoices=[]
    )
    payment = Payment.objects.get()
    assert payment.unapplied == D("1000.00") - invoice.total
    lamp = billing.product("10.00")
    billing.stock(lamp, billing.shanghai, 5)
    order = order_services.order_submit(
        actor=None, order=billing.order(invoice.customer, (lamp, 1))
    )
    [second] = services.order_bill(order_id=order.pk)
    assert "Apply credit" in client.get(f"/payments/{payment.pk}/").content.decode()
    response = client.post(f"/customers/{invoice.customer_id}/apply-credit/")
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.open_amount == 0


@pytest.fixture
def credited(invoice):
    """The invoice paid in full by WeChat Pay, then one of its two units credited."""
    payment_record(
        actor=None,
        customer=invoice.customer,
        amount=invoice.total,
        method="wechat_pay",
        received_on=date(2026, 11, 30),
        idempotency_key="paid",
    )
    return services.credit_note_create(
        actor=None, invoice=invoice, quantities={1: 1}, note="one broken"
    )


def test_finance_refunds_part_of_a_credit_note_and_the_rest_stays_credit(client_for, credited):
    note = credited
    client = client_for("finance")
    page = client.get(f"/credit-notes/{note.pk}/").content.decode()
    assert f"/credit-notes/{note.pk}/refund/" in page
    form = client.get(f"/credit-notes/{note.pk}/refund/").content.decode()
    assert f'value="{note.total}"' in form  # everything refundable, prefilled
    assert 'value="wechat_pay" selected' in form  # the original method first choice
    assert "WeChat Pay (as paid)" in form
    response = client.post(
        f"/credit-notes/{note.pk}/refund/", {"amount": "30.00", "method": "bank_transfer"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/credit-notes/{note.pk}/"
    refund = Payment.objects.get(kind=PaymentKind.REFUND)
    assert (refund.amount, refund.method) == (D("-30.00"), "bank_transfer")
    assert credit_balance(note.customer_id) == note.total - D("30.00")
    page = client.get(f"/credit-notes/{note.pk}/").content.decode()
    assert refund.number in page
    assert "went back to the customer's credit" in page
    assert f"/credit-notes/{note.pk}/refund/" not in page  # one refund per credit note
    # The form sent again (a double click): refused with the reason, nothing written.
    again = client.post(
        f"/credit-notes/{note.pk}/refund/", {"amount": "30.00", "method": "bank_transfer"}
    )
    assert again.status_code == 422
    assert "refunded already" in again.content.decode()
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1


def test_a_full_refund_by_the_original_method(client_for, credited):
    note = credited
    client = client_for("finance")
    response = client.post(
        f"/credit-notes/{note.pk}/refund/", {"amount": str(note.total), "method": "wechat_pay"}
    )
    assert response.status_code == 302
    refund = Payment.objects.get(kind=PaymentKind.REFUND)
    assert (refund.amount, refund.method) == (-note.total, "wechat_pay")
    assert credit_balance(note.customer_id) == 0
    assert "Refunded" in client.get(response["Location"]).content.decode()
