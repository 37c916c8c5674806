"""Payments: amounts, idempotency, allocation (oldest first or chosen), partial payments,
over-payment credit, credit application, credit notes on paid invoices and refunds, and the
invariants that hold after each of them."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from billing import services
from billing.choices import InvoiceStatus, PaymentKind, PaymentMethod
from billing.models import Installment, Invoice, Payment, PaymentAllocation, PaymentRelease
from billing.payment_status import order_payment_status
from billing.payments import credit_apply, credit_balance, payment_record
from billing.refunds import refund_create
from oms.errors import ServiceError
from oms.models import AuditLog
from orders import services as order_services
from orders.choices import PaymentStatus
from tests.billing.test_invoicing import confirmed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 11, 30)


def assert_invariants():
    """billing.models.payments' invariants over every row."""
    for payment in Payment.objects.filter(kind=PaymentKind.RECEIPT):
        allocated = payment.allocations.aggregate(s=Sum("amount"))["s"] or D(0)
        refunded = -(payment.refunds.aggregate(s=Sum("amount"))["s"] or D(0))
        assert 0 <= payment.unapplied <= payment.amount
        assert payment.amount == payment.unapplied + allocated + refunded, payment
    for invoice in Invoice.objects.exclude(status=InvoiceStatus.HELD):
        allocated = invoice.allocations.aggregate(s=Sum("amount"))["s"] or D(0)
        paid = invoice.installments.aggregate(s=Sum("amount_paid"))["s"] or D(0)
        credited = invoice.installments.aggregate(s=Sum("amount_credited"))["s"] or D(0)
        assert invoice.amount_paid == allocated == (paid if invoice.total else 0), invoice
        assert invoice.amount_credited == (credited if invoice.total else invoice.amount_credited)
        assert invoice.amount_paid + invoice.amount_credited <= invoice.total


def invoiced(billing, run_hooks, customer, price="100.00", quantity=1):
    product = billing.product(price)
    with run_hooks():
        order = confirmed(billing, customer, (product, quantity))
    [invoice] = billing.invoices(order)
    return invoice


@pytest.fixture
def finance():
    return UserFactory(username="finance", role="finance")


def pay(customer, amount, key, finance, **kwargs):
    kwargs.setdefault("method", PaymentMethod.BANK_TRANSFER)
    kwargs.setdefault("received_on", TODAY)
    return payment_record(
        actor=finance, customer=customer, amount=amount, idempotency_key=key, **kwargs
    )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("10.001", "at most 2 decimals"),
        ("abc", "as a number"),
        ("NaN", "as a number"),
        ("1e15", "more than any payment"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(billing, finance, amount, message):
    customer = billing.business(payment_terms="prepaid")
    with pytest.raises(ServiceError, match=message):
        pay(customer, amount, "k1", finance)
    assert not Payment.objects.exists()


def test_a_payment_settles_the_oldest_invoice_first_and_the_rest_is_credit(
    billing, run_hooks, finance
):
    customer = billing.business(payment_terms="prepaid")
    first = invoiced(billing, run_hooks, customer, "100.00")
    second = invoiced(billing, run_hooks, customer, "50.00")
    payment = pay(customer, first.total + second.total + D("10.00"), "k1", finance)
    assert payment.number.startswith("PAY-")
    assert payment.unapplied == D("10.00")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.open_amount, second.open_amount) == (0, 0)
    assert credit_balance(customer.pk) == D("10.00")
    assert AuditLog.objects.filter(action="payment.record", object_id=str(payment.pk)).exists()
    assert order_payment_status(first.order) == PaymentStatus.PAID
    assert_invariants()


def test_partial_payments_and_chosen_invoices(billing, run_hooks, finance):
    customer = billing.business(payment_terms="prepaid")
    first = invoiced(billing, run_hooks, customer, "100.00")
    second = invoiced(billing, run_hooks, customer, "50.00")
    pay(customer, "20.00", "k1", finance, invoices=[second])
    pay(customer, "5.00", "k2", finance, invoices=[second])
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.amount_paid == D("25.00")
    assert first.amount_paid == 0
    assert order_payment_status(second.order) == PaymentStatus.PARTIALLY_PAID
    assert order_payment_status(first.order) == PaymentStatus.UNPAID
    assert Installment.objects.get(invoice=second).amount_paid == D("25.00")
    assert_invariants()


def test_an_invoice_of_another_customer_or_held_is_refused(billing, run_hooks, finance):
    customer = billing.business(payment_terms="prepaid")
    other = billing.business(seed=2, payment_terms="prepaid")
    theirs = invoiced(billing, run_hooks, other)
    with pytest.raises(ServiceError, match="another customer"):
        pay(customer, "10.00", "k1", finance, invoices=[theirs])
    assert not Payment.objects.exists()


def test_the_same_key_returns_the_same_payment_and_other_details_are_refused(
    billing, run_hooks, finance
):
    customer = billing.business(payment_terms="prepaid")
    invoice = invoiced(billing, run_hooks, customer)
    payment = pay(customer, "40.00", "same", finance, invoices=[invoice])
    again = pay(customer, "40.00", "same", finance, invoices=[invoice])
    assert again.pk == payment.pk
    with pytest.raises(ServiceError, match="already used"):
        pay(customer, "41.00", "same", finance, invoices=[invoice])
    with pytest.raises(ServiceError, match="already used"):
        pay(customer, "40.00", "same", finance, invoices=[])
    with pytest.raises(ServiceError, match="already used"):
        pay(billing.business(seed=3), "40.00", "same", finance)
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.amount_paid == D("40.00")


def test_credit_is_applied_only_when_finance_asks(billing, run_hooks, finance):
    customer = billing.business(payment_terms="prepaid")
    payment = pay(customer, "30.00", "k1", finance)
    assert payment.unapplied == D("30.00")
    invoice = invoiced(billing, run_hooks, customer, "100.00")
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0  # a new invoice does not take credit by itself
    assert credit_apply(actor=finance, customer=customer) == D("30.00")
    invoice.refresh_from_db()
    assert invoice.amount_paid == D("30.00")
    with pytest.raises(ServiceError, match="no credit"):
        credit_apply(actor=finance, customer=customer)
    assert_invariants()


def test_a_credit_note_on_a_paid_invoice_releases_credit_and_a_refund_pays_it_back(
    billing, run_hooks, finance
):
    customer = billing.business(payment_terms="prepaid")
    invoice = invoiced(billing, run_hooks, customer, "100.00", quantity=2)
    receipt = pay(customer, invoice.total, "k1", finance, method=PaymentMethod.ALIPAY)
    note = services.credit_note_create(
        actor=finance, invoice=invoice, quantities={1: 1}, note="one broken"
    )
    invoice.refresh_from_db()
    receipt.refresh_from_db()
    assert invoice.amount_paid == invoice.total - note.total
    assert receipt.unapplied == note.total
    assert PaymentRelease.objects.get(credit_note=note).amount == note.total
    assert_invariants()
    with pytest.raises(ServiceError, match="At most"):
        refund_create(actor=finance, credit_note=note, amount=note.total + 1)
    refund = refund_create(actor=finance, credit_note=note)
    assert (refund.kind, refund.amount, refund.method) == (
        PaymentKind.REFUND,
        -note.total,
        PaymentMethod.ALIPAY,
    )
    assert refund.refund_of == receipt
    receipt.refresh_from_db()
    assert receipt.unapplied == 0
    assert order_payment_status(invoice.order) == PaymentStatus.PARTIALLY_REFUNDED
    with pytest.raises(ServiceError, match="refunded already"):
        refund_create(actor=finance, credit_note=note)
    assert_invariants()


def test_a_cancelled_paid_order_keeps_the_money_as_credit_or_refunds_it(
    billing, run_hooks, finance, settings
):
    customer = billing.business(payment_terms="prepaid")
    kept = invoiced(billing, run_hooks, customer)
    pay(customer, kept.total, "k1", finance, invoices=[kept])
    with run_hooks():
        order_services.order_cancel(actor=None, order=kept.order, reason="changed mind")
    kept.refresh_from_db()
    assert (kept.status, kept.amount_paid) == (InvoiceStatus.CREDITED, 0)
    assert credit_balance(customer.pk) == kept.total
    assert not Payment.objects.filter(kind=PaymentKind.REFUND).exists()

    settings.OMS_REFUND_ON_CANCELLATION = True
    refunded = invoiced(billing, run_hooks, customer)
    pay(customer, refunded.total, "k2", finance, invoices=[refunded])
    with run_hooks():
        order_services.order_cancel(actor=None, order=refunded.order, reason="changed mind")
    refund = Payment.objects.get(kind=PaymentKind.REFUND)
    assert refund.amount == -refunded.total
    assert order_payment_status(refunded.order) == PaymentStatus.REFUNDED
    assert credit_balance(customer.pk) == kept.total
    assert_invariants()


def test_nothing_paid_means_nothing_to_refund(billing, run_hooks, finance):
    customer = billing.business(payment_terms="prepaid")
    invoice = invoiced(billing, run_hooks, customer, "100.00", quantity=2)
    pay(customer, "50.00", "k1", finance)
    # 200 + tax open, 50 paid: crediting one unit (half) leaves more open than was paid.
    note = services.credit_note_create(
        actor=finance, invoice=invoice, quantities={1: 1}, note="one broken"
    )
    assert not PaymentRelease.objects.exists()
    with pytest.raises(ServiceError, match="nothing to refund"):
        refund_create(actor=finance, credit_note=note)
    assert PaymentAllocation.objects.get().amount == D("50.00")
    assert_invariants()


def test_the_order_follows_its_payments_and_completes_when_delivered_and_paid(
    billing, run_hooks, finance
):
    customer = billing.business(payment_terms="prepaid")
    invoice = invoiced(billing, run_hooks, customer, "100.00", quantity=2)
    order = invoice.order
    pay(customer, "10.00", "k1", finance)
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PARTIALLY_PAID
    pay(customer, invoice.total, "k2", finance)
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PAID
    note = services.credit_note_create(
        actor=finance, invoice=invoice, quantities={1: 1}, note="one broken"
    )
    refund_create(actor=finance, credit_note=note)
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    assert order_payment_status(order) == order.payment_status


def test_a_delivered_order_on_account_completes_when_its_invoice_is_paid(
    billing, run_hooks, finance
):
    from orders.choices import OrderStatus
    from orders.models import Order
    from shipping import services as shipping_services
    from shipping.permissions import ShipmentAction

    product = billing.product("80.00")
    customer = billing.business(payment_terms="net_30")
    order = billing.allocated_order(
        (product, 1), stock=[(product, billing.shanghai, 1)], customer=customer
    )
    [shipment] = billing.packed(order)
    with run_hooks():
        shipment = shipping_services.shipment_dispatch(
            actor=None, shipment=shipment, details=billing.details()
        )
    shipping_services.shipment_record_progress(
        actor=None, shipment=shipment, action=ShipmentAction.DELIVERED
    )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    [invoice] = billing.invoices(order)
    pay(customer, invoice.total, "k1", finance)
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.payment_status) == (OrderStatus.COMPLETED, PaymentStatus.PAID)
