"""Moving-average cost: the formula, receipts through the service, transfers and work orders,
and receipts at the same moment on the same stock row (real threads)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from inventory.costing import Cost, moving_average
from inventory.models import StockLevel, StockMovement
from inventory.services import stock_receive, stock_transfer
from tests.factories import ProductFactory, WarehouseFactory

D = Decimal


def test_the_formula():
    # (old qty × old avg + received × unit cost) / (old qty + received)
    assert moving_average(on_hand=10, current=Cost(D("5"), True), quantity=30, cost=D("9")) == Cost(
        D("8.0000"), True
    )
    # Kept to 4 places, half up: (3 × 1 + 4 × 2) / 7 = 1.571428…
    assert moving_average(on_hand=3, current=Cost(D("1"), True), quantity=4, cost=D("2")) == Cost(
        D("1.5714"), True
    )
    # No stock, or a cost never known: the receipt's cost, not an average with an unknown 0.
    assert moving_average(on_hand=0, current=Cost(D("7"), True), quantity=5, cost=D("3")) == Cost(
        D("3.0000"), True
    )
    assert moving_average(on_hand=50, current=Cost(D("0"), False), quantity=5, cost=D("3")) == Cost(
        D("3.0000"), True
    )


@pytest.mark.django_db
def test_receipts_move_the_average_and_issues_leave_it():
    product, warehouse = ProductFactory(), WarehouseFactory()
    stock_receive(actor=None, product=product, warehouse=warehouse, quantity=10, unit_cost=D("5"))
    stock_receive(actor=None, product=product, warehouse=warehouse, quantity=30, unit_cost=D("9"))
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert (level.on_hand, level.average_cost, level.cost_known) == (40, D("8.0000"), True)
    # A receipt without a cost (a script, a test) comes in at the current average.
    stock_receive(actor=None, product=product, warehouse=warehouse, quantity=10)
    level.refresh_from_db()
    assert level.average_cost == D("8.0000")
    assert list(StockMovement.objects.order_by("pk").values_list("unit_cost", flat=True)) == [
        D("5"),
        D("9"),
        D("8"),
    ]
    # A transfer carries the source's average into the destination's.
    other = WarehouseFactory()
    stock_receive(actor=None, product=product, warehouse=other, quantity=10, unit_cost=D("20"))
    stock_transfer(actor=None, product=product, source=warehouse, destination=other, quantity=10)
    assert StockLevel.objects.get(warehouse=other).average_cost == D("14.0000")


@pytest.mark.django_db
def test_a_bad_unit_cost_is_refused_and_nothing_is_written():
    from django.core.exceptions import ValidationError

    product, warehouse = ProductFactory(), WarehouseFactory()
    for bad in (D("-1"), D("0.00001"), D("NaN")):
        with pytest.raises(ValidationError):
            stock_receive(
                actor=None, product=product, warehouse=warehouse, quantity=1, unit_cost=bad
            )
    assert not StockMovement.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_receipts_at_the_same_moment_each_count_once_in_the_average():
    product, warehouse = ProductFactory(), WarehouseFactory()
    receipts = [(10, D("4.00")), (20, D("7.00")), (5, D("12.00")), (15, D("9.00"))] * 4
    barrier = threading.Barrier(len(receipts))
    errors: list[BaseException] = []

    def receive(quantity, cost):
        try:
            barrier.wait()
            stock_receive(
                actor=None, product=product, warehouse=warehouse, quantity=quantity, unit_cost=cost
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=receive, args=receipt) for receipt in receipts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    units = sum(q for q, _c in receipts)
    assert level.on_hand == units
    # Stock only grew, so whatever order the row lock gave them, the average is the receipts'
    # weighted average (each step rounded to 4 places: within a few ten-thousandths).
    exact = sum(q * c for q, c in receipts) / units
    assert abs(level.average_cost - exact) <= D("0.0010")
    assert StockMovement.objects.filter(stock_level=level).count() == len(receipts)


@pytest.mark.django_db
def test_existing_stock_without_cost_shows_no_cost(client_for):
    product, warehouse = ProductFactory(sku="NOCOST-1"), WarehouseFactory()
    StockLevel.objects.create(product=product, warehouse=warehouse)
    page = client_for("warehouse").get("/stock/?q=NOCOST-1").content.decode()
    assert "no cost" in page
