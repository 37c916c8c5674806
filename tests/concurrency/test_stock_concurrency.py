"""Several threads, each with its own database connection and real transactions."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Sum

from inventory import services
from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_drift
from tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def run_in_threads(work, jobs):
    """Run work(job) for each job on THREADS threads that start together; re-raise any error."""
    barrier = threading.Barrier(THREADS)

    def worker(chunk):
        barrier.wait()
        try:
            for job in chunk:
                work(job)
        finally:
            connection.close()

    chunks = [jobs[i::THREADS] for i in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(worker, chunk) for chunk in chunks]:
            future.result()


def test_concurrent_receipts_on_a_new_stock_row_are_exact():
    product, warehouse = ProductFactory(), WarehouseFactory()

    run_in_threads(
        lambda quantity: services.stock_receive(
            actor=None, product=product, warehouse=warehouse, quantity=quantity
        ),
        [1, 2, 3] * 40,
    )

    level = StockLevel.objects.get()
    assert level.on_hand == 240
    assert StockMovement.objects.count() == 120
    assert StockMovement.objects.aggregate(total=Sum("quantity"))["total"] == 240
    balances = sorted(StockMovement.objects.values_list("balance_after", flat=True))
    assert balances[-1] == 240
    assert len(set(balances)) == 120


def test_concurrent_adjustments_never_go_below_zero():
    product, warehouse = ProductFactory(), WarehouseFactory()
    services.stock_receive(actor=None, product=product, warehouse=warehouse, quantity=50)
    refused = []

    def take_one(_):
        try:
            services.stock_adjust(
                actor=None, product=product, warehouse=warehouse, quantity=-1, reason="lost"
            )
        except Exception as exc:
            refused.append(type(exc).__name__)

    run_in_threads(take_one, list(range(80)))

    assert StockLevel.objects.get().on_hand == 0
    assert refused == ["ValidationError"] * 30
    assert list(ledger_drift()) == []


def test_transfers_in_opposite_directions_do_not_deadlock():
    """A→B and B→A at once lock the same two rows; primary-key order keeps them apart."""
    product = ProductFactory()
    a, b = WarehouseFactory(), WarehouseFactory()
    services.stock_receive(actor=None, product=product, warehouse=a, quantity=500)
    services.stock_receive(actor=None, product=product, warehouse=b, quantity=500)

    def transfer(direction):
        source, destination = (a, b) if direction else (b, a)
        services.stock_transfer(
            actor=None, product=product, source=source, destination=destination, quantity=1
        )

    run_in_threads(transfer, [True, False] * 100)

    levels = {level.warehouse_id: level.on_hand for level in StockLevel.objects.all()}
    assert levels == {a.pk: 500, b.pk: 500}
    assert StockMovement.objects.count() == 2 + 400
    assert list(ledger_drift()) == []
