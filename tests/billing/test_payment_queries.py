"""The SQL that recording one payment costs (payment_record, as bench/payments.py runs it).
Pinned so a change that adds a statement per payment is seen."""

from datetime import date

import pytest

from billing import services
from billing.choices import InvoiceStatus, PaymentMethod
from billing.models import Invoice
from billing.payments import _locked_invoices, open_invoices, payment_record
from orders import services as order_services
from orders.choices import OrderStatus
from orders.models import Order
from tests.helpers import queries_of

pytestmark = pytest.mark.django_db


def invoices_of(billing, customer, count):
    made = []
    for _ in range(count):
        lamp = billing.product("100.00")
        billing.stock(lamp, billing.shanghai, 5)
        order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 1)))
        made.extend(services.order_bill(order_id=order.pk))
    return made


def record(customer, amount, key, invoices=None):
    return queries_of(
        lambda: payment_record(
            actor=None,
            customer=customer,
            amount=amount,
            method=PaymentMethod.BANK_TRANSFER,
            received_on=date(2026, 11, 30),
            idempotency_key=key,
            invoices=invoices,
        )
    )


# A payment: lock the customer, look the idempotency key up and draw the payment's number (one
# statement); lock the invoices with their orders (one statement); the payment's row (INSERT
# ... ON CONFLICT: no savepoint); the audit row. The orders are not locked a second time.
FIXED = 4
# What it settles, whatever the number of invoices: the allocation rows, the invoices'
# amount_paid, their installments and the customer's receivables row (one statement), and the
# orders' invoice and refund sums.
SETTLING = 2
# Each order whose payment_status changes: the orders service writes it and an event on its
# timeline (the order is the one locked with the invoice: not read again).
PER_ORDER = 2
# The customer hears of it: the message template, the outbox row (ON CONFLICT: no
# savepoint); the orders are those locked with the invoices.
MESSAGE = 2


@pytest.mark.parametrize("chosen", [False, True])
@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_payment_costs_a_fixed_number_of_statements_per_invoice(billing, chosen, count):
    customer = billing.business(payment_terms="prepaid")
    invoices = invoices_of(billing, customer, count)
    amount = sum(invoice.total for invoice in invoices)
    queries = record(customer, amount, "pay", invoices if chosen else None)
    expected = FIXED + SETTLING + PER_ORDER * count + MESSAGE
    assert len(queries.statements) == expected, "\n".join(queries.statements)


def test_a_payment_that_only_becomes_credit(billing):
    customer = billing.business(payment_terms="prepaid")
    queries = record(customer, "50.00", "credit")
    # Nothing open: no invoice locked (the statement finds none), nothing settled, no order
    # to follow. The customer still hears of it (template and outbox row).
    assert len(queries.statements) == FIXED + MESSAGE, "\n".join(queries.statements)


def test_a_customer_on_hold_pays_one_more_statement(billing):
    customer = billing.business(payment_terms="prepaid")
    [invoice] = invoices_of(billing, customer, 1)
    customer.credit_hold = True
    customer.save(update_fields=["credit_hold"])
    queries = record(customer, invoice.total, "held")
    # The reminders' state is read to lift a hold the final notice put (here finance put it).
    assert len(queries.statements) == FIXED + SETTLING + PER_ORDER + 1 + MESSAGE


def test_a_payment_takes_no_savepoint_besides_its_own(billing):
    customer = billing.business(payment_terms="prepaid")
    invoices = invoices_of(billing, customer, 2)
    queries = record(customer, sum(invoice.total for invoice in invoices), "one")
    # Its own atomic block inside the test's transaction; the orders' statuses are written in
    # it without a savepoint of the orders service.
    assert len(queries.sql) - len(queries.statements) == 2, "\n".join(queries.sql)


def test_the_invoices_a_payment_locks_are_the_open_invoices(billing):
    """_locked_invoices writes open_invoices() in SQL: both find the same rows."""
    customer = billing.business(payment_terms="prepaid")
    paid, credited, partly, cancelled, other = invoices_of(billing, customer, 5)
    Invoice.objects.filter(pk=paid.pk).update(amount_paid=paid.total)
    Invoice.objects.filter(pk=credited.pk).update(status=InvoiceStatus.CREDITED)
    Invoice.objects.filter(pk=partly.pk).update(
        status=InvoiceStatus.PARTLY_CREDITED, amount_credited=partly.total / 2
    )
    Order.objects.filter(pk=cancelled.order_id).update(status=OrderStatus.CANCELLED)
    [theirs] = invoices_of(billing, billing.business(seed=2, payment_terms="prepaid"), 1)
    expected = set(open_invoices(customer.pk).values_list("pk", flat=True))
    assert expected == {partly.pk, other.pk}
    locked = _locked_invoices(customer.pk, None)
    assert set(locked) == expected
    invoice = locked[other.pk]
    fresh = Invoice.objects.select_related("order").get(pk=other.pk)
    assert (invoice.number, invoice.total, invoice.due_date) == (
        fresh.number,
        fresh.total,
        fresh.due_date,
    )
    assert (invoice.order.number, invoice.order.channel_id, invoice.order.payment_status) == (
        fresh.order.number,
        fresh.order.channel_id,
        fresh.order.payment_status,
    )
    # Chosen: the customer's rows among the ids, whatever their state.
    chosen = _locked_invoices(customer.pk, [paid.pk, credited.pk, theirs.pk])
    assert set(chosen) == {paid.pk, credited.pk}
