"""payment_record and the services that write invoices and credit notes take their locks in
one order (customer → orders → invoices → payments), so they wait for each other instead of
deadlocking. Real threads, real transactions; the interleaving that used to deadlock is forced
with a third transaction holding the invoice, then many payments and credit notes race."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections, transaction

from billing import services
from billing.choices import PaymentMethod
from billing.models import CreditNote, Invoice
from billing.payments import payment_record
from orders import services as order_services
from tests.billing.conftest import Billing
from tests.concurrency.test_order_concurrency import deadlocks, race  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_on_locks() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def wait_until_blocked(count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while waiting_on_locks() < count:
        assert time.monotonic() < deadline, "the thread never waited on a lock"
        time.sleep(0.02)


def in_thread(work, results, name):
    def run():
        try:
            results[name] = work()
        except Exception as exc:
            results[name] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def amended(billing, customer, lamp):
    """A prepaid order invoiced for 4 units, then amended to 2: order_bill (its task did not run:
    no worker here) will write a credit note for the difference."""
    order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 4)))
    [invoice] = services.order_bill(order_id=order.pk)
    order_services.order_amend(actor=None, order=order, changes={1: 2})
    return invoice


@pytest.mark.parametrize("writer", ["order_bill", "credit_note_create"])
def test_a_payment_and_a_credit_note_of_one_invoice_wait_for_each_other(
    writer,
    deadlocks,  # noqa: F811
):
    """The interleaving that deadlocked: a payment holds the customer and waits for the
    invoice; the credit note's service holds the order and waits for the invoice too; once the
    invoice is free the payment wanted the order, the credit note the invoice."""
    billing = Billing()
    lamp = billing.product("100.00")
    billing.stock(lamp, billing.shanghai, 10)
    customer = billing.business(payment_terms="prepaid")
    invoice = amended(billing, customer, lamp)
    if writer == "order_bill":
        write = lambda: services.order_bill(order_id=invoice.order_id)  # noqa: E731
    else:
        write = lambda: services.credit_note_create(  # noqa: E731
            actor=None, invoice=invoice, quantities={1: 1}, note="one broken"
        )

    results: dict = {}
    holder_locked, release = threading.Event(), threading.Event()

    def hold_invoice():
        # Someone busy with the invoice a moment (another payment, an installment plan).
        with transaction.atomic():
            list(Invoice.objects.select_for_update().filter(pk=invoice.pk))
            holder_locked.set()
            release.wait(20)

    holder = in_thread(hold_invoice, results, "holder")
    holder_locked.wait(10)
    pay = in_thread(
        lambda: payment_record(
            actor=None,
            customer=customer,
            amount="50.00",
            method=PaymentMethod.BANK_TRANSFER,
            received_on=date(2026, 11, 30),
            idempotency_key="during-billing",
            invoices=[invoice],
        ),
        results,
        "pay",
    )
    wait_until_blocked(1)
    credit = in_thread(write, results, "credit")
    wait_until_blocked(2)
    release.set()
    for thread in (holder, pay, credit):
        thread.join(30)

    assert deadlocks == []
    assert not isinstance(results["pay"], Exception), results["pay"]
    assert not isinstance(results["credit"], Exception), results["credit"]
    note = CreditNote.objects.get(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.amount_paid == 50
    assert invoice.amount_credited == note.total
    assert invoice.amount_paid + invoice.amount_credited <= invoice.total


def test_payments_and_manual_credit_notes_at_once_never_deadlock(deadlocks):  # noqa: F811
    billing = Billing()
    customer = billing.business(payment_terms="prepaid")
    invoices = []
    for _ in range(6):
        lamp = billing.product("100.00")
        billing.stock(lamp, billing.shanghai, 10)
        order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 3)))
        invoices.extend(services.order_bill(order_id=order.pk))

    def job(item):
        kind, invoice = item
        if kind == "pay":
            payment_record(
                actor=None,
                customer=customer,
                amount="100.00",
                method=PaymentMethod.BANK_TRANSFER,
                received_on=date(2026, 11, 30),
                idempotency_key=f"k{invoice.pk}",
                invoices=[invoice],
            )
        else:
            services.credit_note_create(
                actor=None, invoice=invoice, quantities={1: 1}, note="one broken"
            )

    jobs = [(kind, invoice) for invoice in invoices for kind in ("pay", "credit")]
    errors = race(job, jobs, threads=6)
    assert errors == []
    assert deadlocks == []
    for invoice in Invoice.objects.filter(pk__in=[i.pk for i in invoices]):
        assert invoice.amount_paid + invoice.amount_credited <= invoice.total
