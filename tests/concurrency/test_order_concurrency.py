"""Order confirmations racing for stock, each thread with its own connection."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Sum

from inventory.models import StockLevel
from orders import services
from orders.choices import OrderStatus
from orders.models import Allocation, Order
from orders.selectors import reservation_drift
from orders.services import LineRequest
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db(transaction=True)


def race(work, jobs, threads):
    """Start all threads together; each runs its share of jobs; return the errors raised."""
    barrier = threading.Barrier(threads)
    errors = []

    def worker(chunk):
        barrier.wait()
        try:
            for job in chunk:
                try:
                    work(job)
                except Exception as exc:
                    errors.append(exc)
        finally:
            connection.close()

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker, jobs[i::threads]) for i in range(threads)]:
            future.result()
    return errors


@pytest.fixture
def deadlocks(monkeypatch):
    """Every deadlock or serialization failure the retry helper sees, even if a retry saved it."""
    from oms import db

    seen = []
    real = db._is_retryable

    def spy(exc):
        retryable = real(exc)
        if retryable:
            seen.append(exc)
        return retryable

    monkeypatch.setattr(db, "_is_retryable", spy)
    return seen


def test_fifty_confirmations_for_the_last_ten_units(deadlocks):
    catalog = Catalog()
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 6)
    catalog.stock(product, catalog.guangzhou, 4)
    orders = [catalog.order(catalog.customer(), (product, 1)) for _ in range(50)]

    errors = race(lambda order: services.order_submit(actor=None, order=order), orders, threads=25)

    assert errors == []
    statuses = list(Order.objects.values_list("status", flat=True))
    assert statuses.count(OrderStatus.ALLOCATED) == 10
    assert statuses.count(OrderStatus.BACKORDERED) == 40
    assert Allocation.objects.aggregate(total=Sum("quantity"))["total"] == 10
    assert dict(StockLevel.objects.values_list("warehouse__code", "reserved")) == {
        "SH1": 6,
        "GZ1": 4,
    }
    assert list(reservation_drift()) == []
    assert deadlocks == []


def test_big_orders_split_and_back_order_exactly():
    """Orders of 1 to 3 units for 10 units: what each lacks is exactly back-ordered."""
    catalog = Catalog()
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 6)
    catalog.stock(product, catalog.guangzhou, 4)
    orders = [catalog.order(catalog.customer(), (product, 1 + i % 3)) for i in range(50)]

    assert (
        race(lambda order: services.order_submit(actor=None, order=order), orders, threads=10) == []
    )

    assert Allocation.objects.aggregate(total=Sum("quantity"))["total"] == 10
    for order in Order.objects.prefetch_related("lines__allocations"):
        line = order.lines.get()
        allocated = sum(a.quantity for a in line.allocations.all())
        assert order.status == (
            OrderStatus.ALLOCATED if allocated == line.quantity else OrderStatus.BACKORDERED
        )
        short = order.events.filter(to_status=OrderStatus.BACKORDERED).first()
        if short is not None:
            assert list(short.data["short"].values()) == [line.quantity - allocated]
    assert list(reservation_drift()) == []


def test_same_skus_in_opposite_order_never_deadlock(deadlocks):
    catalog = Catalog()
    skus = [catalog.product() for _ in range(4)]
    for product in skus:
        catalog.stock(product, catalog.shanghai, 1000)
        catalog.stock(product, catalog.guangzhou, 1000)
    forwards = [tuple((p, 1) for p in skus)] * 20
    backwards = [tuple((p, 1) for p in reversed(skus))] * 20
    orders = [
        catalog.order(catalog.customer(), *lines)
        for pair in zip(forwards, backwards, strict=True)
        for lines in pair
    ]

    def confirm_then_cancel_half(order):
        services.order_submit(actor=None, order=order)
        if order.pk % 2:
            services.order_cancel(actor=None, order=order, reason="race")

    assert race(confirm_then_cancel_half, orders, threads=8) == []
    assert deadlocks == []
    assert list(reservation_drift()) == []
    picking = Order.objects.filter(status=OrderStatus.ALLOCATED).count()
    assert picking + Order.objects.filter(status=OrderStatus.CANCELLED).count() == 40
    assert StockLevel.objects.aggregate(total=Sum("reserved"))["total"] == picking * 4


def test_orders_placed_at_once_with_skus_in_any_order_never_deadlock(deadlocks):
    """order_place creates, confirms and allocates in one transaction, locking all its stock
    rows in one statement: 40 orders over the same SKUs, listed forwards and backwards, with
    too little stock in the nearest warehouse, split and back-order without a deadlock."""
    catalog = Catalog()
    skus = [catalog.product() for _ in range(4)]
    for product in skus:
        catalog.stock(product, catalog.shanghai, 50)
        catalog.stock(product, catalog.guangzhou, 40)
    customers = [catalog.customer() for _ in range(8)]
    jobs = [(customers[n % 8], skus if n % 2 else list(reversed(skus))) for n in range(40)]

    def place(job):
        customer, products = job
        services.order_place(
            actor=None, customer=customer, lines=[LineRequest(p, 3) for p in products]
        )

    assert race(place, jobs, threads=8) == []
    assert deadlocks == []
    assert list(reservation_drift()) == []
    # 90 units of each SKU for 40 orders of 3: 30 orders allocated, 10 back-ordered.
    assert Order.objects.filter(status=OrderStatus.ALLOCATED).count() == 30
    assert Order.objects.filter(status=OrderStatus.BACKORDERED).count() == 10
    assert StockLevel.objects.aggregate(total=Sum("reserved"))["total"] == 4 * 90


def test_work_orders_finishing_while_their_orders_are_cancelled_never_deadlock(
    deadlocks, monkeypatch
):
    """Inventory finishes work orders (work order, then stock row locked) while the order desk
    cancels the same orders (order, work orders, stock). The goods reach their line in a task
    that locks the order before the stock row, so no two of them wait for each other."""
    from inventory.choices import WorkOrderStage
    from inventory.models import WorkOrder
    from inventory.work_orders import work_order_advance
    from oms.errors import ServiceError
    from orders import tasks

    # The worker, run in the committing thread right after commit.
    monkeypatch.setattr(
        tasks.allocate_finished_work_order, "delay", tasks.allocate_finished_work_order
    )
    catalog = Catalog()
    lamps = [catalog.product(made_to_order=True) for _ in range(3)]
    orders = [
        catalog.order(catalog.customer(region="SH"), (lamps[i % 3], 1 + i % 2)) for i in range(30)
    ]
    for order in orders:
        services.order_submit(actor=None, order=order)
    for work_order in WorkOrder.objects.all():
        for _stage in range(2):  # one step short of done
            work_order = work_order_advance(actor=None, work_order=work_order)
    work_orders = {w.order_line_id: w for w in WorkOrder.objects.all()}
    jobs = []
    for order in orders:
        jobs += [("finish", work_orders[order.lines.get().pk]), ("cancel", order)]

    def work(job):
        kind, target = job
        if kind == "finish":
            work_order_advance(actor=None, work_order=target)
        else:
            services.order_cancel(actor=None, order=target, reason="race")

    errors = race(work, jobs, threads=6)

    # A work order the cancel stopped first cannot be finished: a message, not a failure.
    assert all(isinstance(e, ServiceError) and "cannot move on" in str(e) for e in errors)
    assert deadlocks == []
    assert list(reservation_drift()) == []
    assert set(Order.objects.values_list("status", flat=True)) <= {
        OrderStatus.CANCELLED,
        OrderStatus.ALLOCATED,
    }
    for order in Order.objects.filter(status=OrderStatus.ALLOCATED).prefetch_related("lines"):
        line = order.lines.get()
        assert sum(a.quantity for a in line.allocations.all()) == line.quantity
    stopped = WorkOrder.objects.filter(stage=WorkOrderStage.CANCELLED).count()
    assert len(errors) == stopped
