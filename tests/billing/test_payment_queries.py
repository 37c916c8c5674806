"""The SQL that recording one payment costs (payment_record, as bench/payments.py runs it).
Pinned so a change that adds a statement per payment is seen."""

from datetime import date

import pytest

from billing import services
from billing.choices import PaymentMethod
from billing.payments import payment_record
from orders import services as order_services
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


# A payment: lock the customer; the idempotency key; lock the invoices with their orders (one
# statement); the payment's number and row; the audit row; the orders locked again to read
# their payment status (orders_follow_payments).
FIXED = 7
# Each invoice it settles: the allocation, the invoice's amount_paid, its installments read and
# written, the customer's receivables row.
PER_INVOICE = 5
# Each order whose payment_status changes: its invoices' and refunds' sums, then the orders
# service (the order read, written, and an event on its timeline).
PER_ORDER = 5
# The customer hears of it: the orders it paid, the message template, the outbox row.
MESSAGE = 3


@pytest.mark.parametrize("chosen", [False, True])
@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_payment_costs_a_fixed_number_of_statements_per_invoice(billing, chosen, count):
    customer = billing.business(payment_terms="prepaid")
    invoices = invoices_of(billing, customer, count)
    amount = sum(invoice.total for invoice in invoices)
    queries = record(customer, amount, "pay", invoices if chosen else None)
    expected = FIXED + (PER_INVOICE + PER_ORDER) * count + MESSAGE
    assert len(queries.statements) == expected, "\n".join(queries.statements)


def test_a_payment_that_only_becomes_credit(billing):
    customer = billing.business(payment_terms="prepaid")
    queries = record(customer, "50.00", "credit")
    # Nothing open: no invoice locked (the statement finds none), no order to follow.
    # The customer still hears of it (template and outbox row; no order to name).
    assert len(queries.statements) == FIXED - 1 + MESSAGE - 1, "\n".join(queries.statements)


def test_a_customer_on_hold_pays_one_more_statement(billing):
    customer = billing.business(payment_terms="prepaid")
    [invoice] = invoices_of(billing, customer, 1)
    customer.credit_hold = True
    customer.save(update_fields=["credit_hold"])
    queries = record(customer, invoice.total, "held")
    # The reminders' state is read to lift a hold the final notice put (here finance put it).
    assert len(queries.statements) == FIXED + PER_INVOICE + PER_ORDER + 1 + MESSAGE
