"""The refund form: finance chooses how much of a credit note to pay back. Anything more than
what is refundable, a double submit, a negative or malformed amount, a method that brings no
money back: a clear message on the form (422) and nothing written. Roles without the right get
403; another sales rep's customer's credit note is a 404."""

from datetime import date
from decimal import Decimal

import pytest

from billing import services
from billing.choices import PaymentKind
from billing.models import Payment
from billing.payments import credit_apply, payment_record
from oms.models import AuditLog
from orders import services as order_services
from tests.billing.conftest import Billing

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing(db):
    return Billing()


@pytest.fixture
def note(billing):
    lamp = billing.product("100.00")
    billing.stock(lamp, billing.shanghai, 10)
    customer = billing.business(payment_terms="prepaid")
    order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 2)))
    [invoice] = services.order_bill(order_id=order.pk)
    payment_record(
        actor=None,
        customer=customer,
        amount=invoice.total,
        method="alipay",
        received_on=date(2026, 11, 30),
        idempotency_key="paid",
    )
    return services.credit_note_create(
        actor=None, invoice=invoice, quantities={1: 1}, note="one broken"
    )


def nothing_refunded():
    return (
        not Payment.objects.filter(kind=PaymentKind.REFUND).exists()
        and not AuditLog.objects.filter(action="payment.refund").exists()
    )


@pytest.mark.parametrize(
    ("amount", "method", "message"),
    [
        ("999999.00", "alipay", "At most"),
        ("-10.00", "alipay", "more than zero"),
        ("0", "alipay", "more than zero"),
        ("1.234", "alipay", "at most 2 decimals"),
        ("ten", "alipay", "as a number"),
        ("NaN", "alipay", "as a number"),
        ("1e3", "alipay", ""),  # a number, but more than refundable
        ("", "alipay", "required"),
        ("10.00", "credit", "not one of the available choices"),
        ("10.00", "cod", "not one of the available choices"),
        ("10.00", "<script>", "not one of the available choices"),
    ],
)
def test_bad_refunds_are_answered_on_the_form(client_for, note, amount, method, message):
    client = client_for("finance")
    response = client.post(f"/credit-notes/{note.pk}/refund/", {"amount": amount, "method": method})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert nothing_refunded()


def test_more_than_refundable_by_one_cent_is_refused(client_for, note):
    response = client_for("finance").post(
        f"/credit-notes/{note.pk}/refund/",
        {"amount": str(note.total + Decimal("0.01")), "method": "alipay"},
    )
    assert response.status_code == 422
    assert "At most" in response.content.decode()
    assert nothing_refunded()


def test_a_double_submit_refunds_once(client_for, note):
    client = client_for("finance")
    data = {"amount": "20.00", "method": "alipay"}
    assert client.post(f"/credit-notes/{note.pk}/refund/", data).status_code == 302
    again = client.post(f"/credit-notes/{note.pk}/refund/", data)
    assert again.status_code == 422
    assert "refunded already" in again.content.decode()
    assert Payment.objects.filter(kind=PaymentKind.REFUND).get().amount == Decimal("-20.00")


def test_a_credit_note_whose_credit_was_used_has_nothing_to_refund(client_for, note, billing):
    # The customer's credit went onto a later invoice: nothing is left to pay back.
    lamp = billing.product("500.00")
    billing.stock(lamp, billing.shanghai, 5)
    order = order_services.order_submit(actor=None, order=billing.order(note.customer, (lamp, 1)))
    services.order_bill(order_id=order.pk)
    credit_apply(actor=None, customer=note.customer)
    client = client_for("finance")
    form = client.get(f"/credit-notes/{note.pk}/refund/")
    assert form.status_code == 200
    assert "Nothing of this credit note is left to refund" in form.content.decode()
    response = client.post(f"/credit-notes/{note.pk}/refund/", {"amount": "1.00", "method": "cash"})
    assert response.status_code == 422
    assert "nothing to refund" in response.content.decode()
    assert nothing_refunded()


@pytest.mark.parametrize("role", ["sales", "warehouse", "customer_service"])
def test_roles_without_the_right_cannot_open_or_send_the_form(client_for, note, role):
    client = client_for(role)
    assert client.get(f"/credit-notes/{note.pk}/refund/").status_code == 403
    data = {"amount": "10.00", "method": "alipay"}
    assert client.post(f"/credit-notes/{note.pk}/refund/", data).status_code == 403
    assert nothing_refunded()


def test_a_credit_note_that_does_not_exist_is_a_404(client_for):
    client = client_for("finance")
    assert client.get("/credit-notes/987654321/refund/").status_code == 404
    data = {"amount": "10.00", "method": "alipay"}
    assert client.post("/credit-notes/987654321/refund/", data).status_code == 404
