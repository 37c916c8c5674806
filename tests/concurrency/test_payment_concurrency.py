"""Payments under contention, each thread with its own connection and transaction: the same
idempotency key at once (one payment), the same key for two customers at once (the unique
index decides), two refunds of one credit note at once (one wins), many payments on one
invoice (never more allocated than open)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from billing import services
from billing.choices import PaymentKind, PaymentMethod
from billing.models import Invoice, Payment
from billing.payments import payment_record
from billing.refunds import refund_create
from oms.errors import ServiceError
from orders import services as order_services
from tests.billing.conftest import Billing
from tests.concurrency.test_order_concurrency import race
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8
D = Decimal


def invoice_of(billing, customer, price="100.00", quantity=1):
    product = billing.product(price)
    billing.stock(product, billing.shanghai, 10)
    order = order_services.order_submit(
        actor=None, order=billing.order(customer, (product, quantity))
    )
    services.order_bill(order_id=order.pk)
    return Invoice.objects.get(order=order)


def record(customer, amount, key, invoices=None):
    return payment_record(
        actor=None,
        customer=customer,
        amount=amount,
        method=PaymentMethod.BANK_TRANSFER,
        received_on=date(2026, 11, 30),
        idempotency_key=key,
        invoices=invoices,
    )


def test_the_same_key_at_once_records_one_payment_and_answers_everyone_with_it():
    billing = Billing()
    customer = billing.business(payment_terms="prepaid")
    invoice = invoice_of(billing, customer)
    answers = []
    errors = race(
        lambda _n: answers.append(record(customer, "60.00", "double-click").pk),
        list(range(THREADS)),
        threads=THREADS,
    )
    assert errors == []
    assert Payment.objects.count() == 1
    assert set(answers) == {Payment.objects.get().pk}
    invoice.refresh_from_db()
    assert invoice.amount_paid == D("60.00")


def test_the_same_key_for_two_customers_at_once_records_one_and_refuses_the_others():
    billing = Billing()
    customers = [billing.business(seed=n, payment_terms="prepaid") for n in range(1, 5)]
    errors = race(lambda c: record(c, "10.00", "shared-key"), customers, threads=4)
    assert Payment.objects.count() == 1
    assert len(errors) == 3
    assert all(isinstance(e, ServiceError) and "already used" in str(e) for e in errors)


def test_many_payments_on_one_invoice_never_allocate_more_than_is_open():
    billing = Billing()
    customer = billing.business(payment_terms="prepaid")
    invoice = invoice_of(billing, customer, "100.00")
    errors = race(
        lambda n: record(customer, "30.00", f"k{n}", invoices=[invoice]),
        list(range(THREADS)),
        threads=THREADS,
    )
    assert errors == []
    invoice.refresh_from_db()
    assert invoice.amount_paid == invoice.total
    unapplied = Payment.objects.aggregate(s=Sum("unapplied"))["s"]
    assert unapplied == D("30.00") * THREADS - invoice.total


def test_two_refunds_of_one_credit_note_at_once_one_wins():
    billing = Billing()
    customer = billing.business(payment_terms="prepaid")
    invoice = invoice_of(billing, customer, "100.00", quantity=2)
    record(customer, invoice.total, "paid", invoices=[invoice])
    finance = UserFactory(username="fin", role="finance")
    note = services.credit_note_create(
        actor=finance, invoice=invoice, quantities={1: 1}, note="broken"
    )
    errors = race(lambda _n: refund_create(actor=finance, credit_note=note), [1, 2], threads=2)
    assert len(errors) == 1
    assert isinstance(errors[0], ServiceError)
    assert "refunded already" in str(errors[0])
    refund = Payment.objects.get(kind=PaymentKind.REFUND)
    assert refund.amount == -note.total
    assert Payment.objects.get(kind=PaymentKind.RECEIPT).unapplied == 0
