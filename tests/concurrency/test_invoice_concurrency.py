"""Invoices issued by billing itself under contention: 32 threads, real transactions, some of
them rolled back after the invoice was written. The committed invoices are numbered 1..N with
no gap and no duplicate, and the orders rolled back get the next numbers when billed again."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from billing.models import Invoice
from billing.services import order_bill
from orders import services as order_services
from tests.billing.conftest import Billing

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 32


class RolledBack(Exception):
    pass


def test_32_concurrent_invoices_some_rolled_back_are_numbered_without_gaps():
    billing = Billing()
    lamp = billing.product("19.99")
    billing.stock(lamp, billing.shanghai, THREADS * 2)
    customer = billing.business(payment_terms="prepaid")
    orders = [
        order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 1)))
        for _ in range(THREADS)
    ]
    assert not Invoice.objects.exists()  # the hooks' tasks did not run: no worker here
    barrier = threading.Barrier(THREADS)
    rolled_back = {order.pk for index, order in enumerate(orders) if index % 4 == 1}

    def bill(order_id: int) -> None:
        barrier.wait()
        try:
            with transaction.atomic():
                [invoice] = order_bill(order_id=order_id)
                assert invoice.number
                if order_id in rolled_back:
                    raise RolledBack
        except RolledBack:
            pass
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(bill, order.pk) for order in orders]:
            future.result()

    committed = THREADS - len(rolled_back)
    numbers = sorted(
        int(n.rsplit("-", 1)[1]) for n in Invoice.objects.values_list("number", flat=True)
    )
    assert numbers == list(range(1, committed + 1))  # no gap, no duplicate
    assert (
        set(Invoice.objects.values_list("order_id", flat=True))
        == {o.pk for o in orders} - rolled_back
    )

    for order_id in sorted(rolled_back):  # billed again (the beat job's catch-up)
        order_bill(order_id=order_id)
    numbers = sorted(
        int(n.rsplit("-", 1)[1]) for n in Invoice.objects.values_list("number", flat=True)
    )
    assert numbers == list(range(1, THREADS + 1))
