"""Crediting returned units and refunding them to the receipts that paid: partial quantities,
several invoices, shipping or not, by the original method, never more than was paid, the same
key again, and the order's payment status."""

from datetime import date
from decimal import Decimal

import pytest

from billing.choices import CreditReason, InvoiceStatus, PaymentKind, PaymentMethod
from billing.models import Payment
from billing.payments import payment_record
from billing.returns import credit_notes_refund, order_credit_returned, refundable_amount
from oms.errors import ServiceError
from orders.choices import OrderStatus, PaymentStatus
from orders.models import Order
from tests.billing.delivered import delivered_order
from tests.billing.test_payments import assert_invariants

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def prepaid(billing):
    return billing.business(payment_terms="prepaid")


def test_a_partial_return_credits_the_units_and_refunds_them_by_the_original_method(
    billing, run_hooks, prepaid
):
    lamp, shade = billing.product("100.00"), billing.product("30.00")
    order = delivered_order(
        billing, run_hooks, prepaid, (lamp, 3), (shade, 2), method=PaymentMethod.ALIPAY
    )
    assert (order.status, order.payment_status) == (OrderStatus.COMPLETED, PaymentStatus.PAID)
    [note] = order_credit_returned(
        actor=None, order=order, quantities={1: 1}, shipping=False, note="RMA-1"
    )
    assert note.reason == CreditReason.RETURN
    assert (note.total, note.shipping_fee) == (D("100.00"), D("0.00"))
    assert refundable_amount([note]) == D("100.00")
    [refund] = credit_notes_refund(actor=None, credit_notes=[note], idempotency_key="rma-1")
    assert (refund.amount, refund.method, refund.kind) == (
        D("-100.00"),
        PaymentMethod.ALIPAY,
        PaymentKind.REFUND,
    )
    assert refund.refund_of.method == PaymentMethod.ALIPAY
    order = Order.objects.get(pk=order.pk)
    assert order.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    # The same key again: the same refund, nothing more paid.
    again = credit_notes_refund(actor=None, credit_notes=[note], idempotency_key="rma-1")
    assert [r.pk for r in again] == [refund.pk]
    # Another key for money already paid back: refused, with the reason.
    with pytest.raises(ServiceError, match="paid back already"):
        credit_notes_refund(actor=None, credit_notes=[note], idempotency_key="rma-1-again")
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1
    assert_invariants()


def test_returning_everything_with_shipping_refunds_all_and_the_order_is_refunded(
    billing, run_hooks, prepaid
):
    lamp = billing.product("100.00")
    order = delivered_order(billing, run_hooks, prepaid, (lamp, 2))
    notes = order_credit_returned(
        actor=None, order=order, quantities={1: 2}, shipping=True, note="all back"
    )
    assert sum(n.total for n in notes) == order.total
    assert notes[0].invoice.status == InvoiceStatus.CREDITED or notes[0].invoice.pk
    credit_notes_refund(actor=None, credit_notes=notes, idempotency_key="all")
    order = Order.objects.get(pk=order.pk)
    assert order.payment_status == PaymentStatus.REFUNDED
    assert_invariants()


def test_quantities_beyond_what_is_invoiced_and_not_credited_are_refused(
    billing, run_hooks, prepaid
):
    lamp = billing.product("100.00")
    order = delivered_order(billing, run_hooks, prepaid, (lamp, 2))
    order_credit_returned(actor=None, order=order, quantities={1: 1}, shipping=False, note="a")
    for quantities, message in [
        ({1: 2}, "1 units invoiced and not yet credited"),
        ({9: 1}, "has no line 9"),
        ({1: 0}, "at least one unit"),
        ({1: -1}, "whole number"),
        ({1: "1"}, "whole number"),
    ]:
        with pytest.raises(ServiceError, match=message):
            order_credit_returned(
                actor=None, order=order, quantities=quantities, shipping=False, note="b"
            )
    assert order.credit_notes.count() == 1


def test_a_refund_never_pays_back_more_than_was_paid(billing, run_hooks):
    """Half paid (on account): crediting a unit only lowers what is owed, nothing goes back;
    once the credit notes pass what is still owed, only the excess is refunded."""
    customer = billing.business(payment_terms="net_30")
    lamp = billing.product("100.00")
    order = delivered_order(billing, run_hooks, customer, (lamp, 2))
    [invoice] = billing.invoices(order)
    assert invoice.total == D("200.00")
    payment_record(
        actor=None,
        customer=customer,
        amount=D("100.00"),
        method=PaymentMethod.BANK_TRANSFER,
        received_on=date(2026, 11, 30),
        idempotency_key="half",
    )
    [first] = order_credit_returned(
        actor=None, order=order, quantities={1: 1}, shipping=False, note="one"
    )
    # Paid 100 of 200; the first unit's credit note (100, ±a cent of rounding) is what was
    # still owed: at most that cent goes back.
    assert refundable_amount([first]) == max(D("100.00") + first.total - invoice.total, 0)
    [second] = order_credit_returned(
        actor=None, order=order, quantities={1: 1}, shipping=True, note="two"
    )
    refunds = credit_notes_refund(actor=None, credit_notes=[first, second], idempotency_key="k2")
    assert sum(r.amount for r in refunds) == D("-100.00")  # all that was paid, not 200
    with pytest.raises(ServiceError, match="paid back already"):
        credit_notes_refund(actor=None, credit_notes=[second], idempotency_key="k3")
    assert Order.objects.get(pk=order.pk).payment_status == PaymentStatus.REFUNDED
    assert_invariants()


def test_the_credit_used_since_is_not_refunded(billing, run_hooks, prepaid):
    from billing.payments import credit_apply

    lamp = billing.product("100.00")
    order = delivered_order(billing, run_hooks, prepaid, (lamp, 2))
    [note] = order_credit_returned(
        actor=None, order=order, quantities={1: 1}, shipping=False, note="one"
    )
    billing.stock(lamp, billing.shanghai, 2)
    with run_hooks():
        other = billing.allocated_order((lamp, 2), customer=prepaid)
    credit_apply(actor=None, customer=prepaid, invoices=billing.invoices(other))
    assert refundable_amount([note]) == 0
    with pytest.raises(ServiceError, match="nothing to refund"):
        credit_notes_refund(actor=None, credit_notes=[note], idempotency_key="used")


def test_an_order_on_account_gets_credit_notes_per_invoice_and_nothing_to_refund(
    billing, run_hooks
):
    customer = billing.business(payment_terms="net_30")
    lamp = billing.product("100.00")
    order = delivered_order(billing, run_hooks, customer, (lamp, 2))
    notes = order_credit_returned(
        actor=None, order=order, quantities={1: 2}, shipping=False, note="back"
    )
    assert sum(n.total for n in notes) == D("200.00")
    assert refundable_amount(notes) == 0
    order = Order.objects.get(pk=order.pk)
    assert order.payment_status == PaymentStatus.UNPAID


def test_a_key_too_long_or_for_other_credit_notes_is_refused(billing, run_hooks, prepaid):
    lamp = billing.product("100.00")
    order = delivered_order(billing, run_hooks, prepaid, (lamp, 3))
    [one] = order_credit_returned(
        actor=None, order=order, quantities={1: 1}, shipping=False, note="1"
    )
    [two] = order_credit_returned(
        actor=None, order=order, quantities={1: 1}, shipping=False, note="2"
    )
    with pytest.raises(ServiceError, match="idempotency key"):
        credit_notes_refund(actor=None, credit_notes=[one], idempotency_key="x" * 61)
    credit_notes_refund(actor=None, credit_notes=[one], idempotency_key="k")
    with pytest.raises(ServiceError, match="already used"):
        credit_notes_refund(actor=None, credit_notes=[two], idempotency_key="k")
