"""Work orders starting production at once compete for the last components, each thread
with its own connection: never more reserved than on hand, and no deadlock."""

import pytest
from django.db.models import Sum

from inventory.choices import WorkOrderStage
from inventory.models import ComponentReservation, StockLevel, WorkOrder
from inventory.services import stock_receive
from inventory.work_orders import (
    work_order_advance,
    work_order_cancel,
    work_order_confirm_materials,
    work_order_create,
    work_order_set_component,
)
from oms.errors import ServiceError
from orders.selectors import reservation_drift
from tests.concurrency.test_order_concurrency import deadlocks, race
from tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db(transaction=True)

__all__ = ["deadlocks"]  # the fixture, used by name


def test_work_orders_racing_for_the_last_components_never_oversell(deadlocks):
    warehouse = WarehouseFactory(code="RACE")
    crystals, frame = ProductFactory(sku="CRYSTAL-R"), ProductFactory(sku="FRAME-R")
    stock_receive(actor=None, product=crystals, warehouse=warehouse, quantity=1000)
    stock_receive(actor=None, product=frame, warehouse=warehouse, quantity=5)
    work_orders = []
    for i in range(12):
        work_order = work_order_create(
            product=ProductFactory(made_to_order=True), warehouse=warehouse, quantity=1
        )
        # Half list the components the other way round: the stock rows are still locked in
        # primary-key order.
        parts = [(crystals, 10), (frame, 2)]
        for product, quantity in parts if i % 2 else reversed(parts):
            work_order_set_component(
                actor=None, work_order=work_order, product=product, quantity=quantity
            )
        work_order_confirm_materials(actor=None, work_order=work_order)
        work_orders.append(work_order)

    errors = race(lambda w: work_order_advance(actor=None, work_order=w), work_orders, threads=6)

    assert deadlocks == []
    assert len(errors) == 10
    assert all(
        isinstance(e, ServiceError) and "FRAME-R: 1 free, 2 needed" in str(e) for e in errors
    )
    started = WorkOrder.objects.filter(stage=WorkOrderStage.PRODUCTION)
    assert started.count() == 2
    frame_level = StockLevel.objects.get(product=frame, warehouse=warehouse)
    assert (frame_level.on_hand, frame_level.reserved) == (5, 4)
    assert StockLevel.objects.get(product=crystals).reserved == 20
    # The refused ones left nothing behind.
    assert set(ComponentReservation.objects.values_list("work_order", flat=True)) == set(
        started.values_list("pk", flat=True)
    )
    assert list(reservation_drift()) == []


def test_finishing_and_cancelling_while_others_start_keeps_the_check_exact(deadlocks):
    warehouse = WarehouseFactory(code="RACE2")
    part = ProductFactory(sku="PART-R")
    stock_receive(actor=None, product=part, warehouse=warehouse, quantity=12)
    work_orders = []
    for _ in range(12):
        work_order = work_order_create(
            product=ProductFactory(made_to_order=True), warehouse=warehouse, quantity=1
        )
        work_order_set_component(actor=None, work_order=work_order, product=part, quantity=2)
        work_order_confirm_materials(actor=None, work_order=work_order)
        work_orders.append(work_order)
    # Four are already in quality check, holding 8 of the 12 parts.
    for work_order in work_orders[:4]:
        for _stage in range(2):
            work_order = work_order_advance(actor=None, work_order=work_order)
    jobs = [("finish", w) for w in work_orders[:2]] + [("cancel", w) for w in work_orders[2:4]]
    jobs += [("start", w) for w in work_orders[4:]]

    def work(job):
        kind, work_order = job
        if kind == "cancel":
            work_order_cancel(actor=None, work_order_id=work_order.pk)
        else:
            work_order_advance(actor=None, work_order=work_order)

    errors = race(work, jobs, threads=6)

    assert deadlocks == []
    assert all(isinstance(e, ServiceError) for e in errors)
    level = StockLevel.objects.get(product=part, warehouse=warehouse)
    # 4 issued by the two finished; 8 left, of which the starts could reserve at most all.
    assert level.on_hand == 8
    assert level.reserved == 2 * WorkOrder.objects.filter(stage=WorkOrderStage.PRODUCTION).count()
    assert level.reserved <= level.on_hand
    assert list(reservation_drift()) == []
    assert ComponentReservation.objects.filter(released_at__isnull=False).count() == 2
    assert (
        ComponentReservation.objects.filter(issued_at__isnull=False).aggregate(n=Sum("quantity"))[
            "n"
        ]
        == 4
    )
