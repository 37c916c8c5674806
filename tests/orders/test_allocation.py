from decimal import Decimal

import pytest
from django.db import connection

from inventory.choices import WorkOrderStage
from inventory.models import StockLevel, WorkOrder
from inventory.work_orders import work_order_advance
from oms.errors import ServiceError
from orders import services
from orders.choices import OrderStatus
from orders.models import Allocation, Order
from orders.selectors import reservation_drift
from orders.tasks import allocate_backorders

pytestmark = pytest.mark.django_db
S = OrderStatus


def allocations(order) -> dict[str, int]:
    rows = Allocation.objects.filter(line__order=order).values_list(
        "stock_level__warehouse__code", "quantity"
    )
    result: dict[str, int] = {}
    for code, quantity in rows:
        result[code] = result.get(code, 0) + quantity
    return result


def submit(order):
    services.order_submit(actor=None, order=order)
    order.refresh_from_db()
    return order


def test_nearest_warehouse_by_coordinates(catalog):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 10)
    catalog.stock(product, catalog.guangzhou, 10)
    shenzhen = catalog.customer(region="GD", lat=Decimal("22.54"), lon=Decimal("114.06"))
    hangzhou = catalog.customer(region="ZJ", lat=Decimal("30.27"), lon=Decimal("120.16"))
    assert allocations(submit(catalog.order(shenzhen, (product, 2)))) == {"GZ1": 2}
    assert allocations(submit(catalog.order(hangzhou, (product, 2)))) == {"SH1": 2}


def test_province_capital_stands_in_for_missing_coordinates(catalog):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 10)
    catalog.stock(product, catalog.guangzhou, 10)
    guangxi = catalog.customer(region="GX")  # Nanning: nearer to Guangzhou
    jiangsu = catalog.customer(region="JS")  # Nanjing: nearer to Shanghai
    assert allocations(submit(catalog.order(guangxi, (product, 1)))) == {"GZ1": 1}
    assert allocations(submit(catalog.order(jiangsu, (product, 1)))) == {"SH1": 1}


def test_split_across_warehouses_then_back_order(catalog):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 3)
    catalog.stock(product, catalog.guangzhou, 4)
    order = submit(catalog.order(catalog.customer(region="SH"), (product, 10)))
    assert allocations(order) == {"SH1": 3, "GZ1": 4}
    assert order.status == S.BACKORDERED
    event = order.events.filter(to_status=S.BACKORDERED).get()
    assert list(event.data["short"].values()) == [3]
    assert list(reservation_drift()) == []


def test_backorders_fill_in_priority_order_when_stock_arrives(catalog, today):
    from datetime import timedelta

    product = catalog.product()
    low = submit(catalog.order(catalog.customer(), (product, 2)))
    urgent = submit(
        catalog.order(catalog.customer(tier="gold"), (product, 2), requested_delivery_date=today)
    )
    assert low.status == urgent.status == S.BACKORDERED
    assert urgent.priority_score > low.priority_score
    catalog.stock(product, catalog.shanghai, 3)  # enough for one order only
    allocate_backorders([product.pk])  # what the worker runs after the receipt commits
    urgent.refresh_from_db()
    low.refresh_from_db()
    assert urgent.status == S.ALLOCATED
    assert allocations(urgent) == {"SH1": 2}
    assert low.status == S.BACKORDERED
    assert allocations(low) == {"SH1": 1}
    assert today + timedelta(days=0) == urgent.requested_delivery_date


def test_stock_receipt_schedules_backorder_allocation_on_commit(
    catalog, django_capture_on_commit_callbacks, monkeypatch
):
    from orders import tasks

    scheduled = []
    monkeypatch.setattr(tasks.allocate_backorders, "delay", lambda ids: scheduled.append(ids))
    product = catalog.product()
    with django_capture_on_commit_callbacks(execute=True):
        catalog.stock(product, catalog.shanghai, 1)
    assert scheduled == [[product.pk]]


def test_made_to_order_line_goes_to_production_and_comes_back_allocated(
    catalog, django_capture_on_commit_callbacks, monkeypatch
):
    from orders import tasks

    scheduled = []
    monkeypatch.setattr(tasks.allocate_finished_work_order, "delay", scheduled.append)
    chandelier = catalog.product("5000.00", made_to_order=True)
    bulb = catalog.product("10.00")
    catalog.stock(bulb, catalog.shanghai, 10)
    order = submit(catalog.order(catalog.customer(region="SH"), (chandelier, 2), (bulb, 4)))
    assert order.status == S.IN_PRODUCTION
    work_order = WorkOrder.objects.get()
    assert (work_order.product, work_order.quantity, work_order.warehouse) == (
        chandelier,
        2,
        catalog.shanghai,
    )
    assert work_order.reference == order.number
    with django_capture_on_commit_callbacks(execute=True):
        for _stage in range(3):
            work_order = work_order_advance(actor=None, work_order=work_order)
    assert work_order.stage == WorkOrderStage.DONE
    # Inventory's transaction only received the goods; the order moves on in the task.
    assert scheduled == [work_order.pk]
    assert Order.objects.get(pk=order.pk).status == S.IN_PRODUCTION
    assert tasks.allocate_finished_work_order(work_order.pk) is True  # what the worker runs
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    assert StockLevel.objects.get(product=chandelier, warehouse=catalog.shanghai).reserved == 2
    assert list(reservation_drift()) == []
    assert tasks.allocate_finished_work_order(work_order.pk) is False  # twice does no harm
    assert order.events.filter(kind="work_order").count() == 1
    assert StockLevel.objects.get(product=chandelier, warehouse=catalog.shanghai).reserved == 2
    with pytest.raises(ServiceError):
        work_order_advance(actor=None, work_order=work_order)


def finish(work_order):
    for _stage in range(3):
        work_order = work_order_advance(actor=None, work_order=work_order)
    return work_order


def test_a_lost_work_order_task_is_caught_up_by_the_nightly_job(catalog, monkeypatch):
    from kombu.exceptions import OperationalError

    from orders import tasks

    def broker_down(*args):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.allocate_finished_work_order, "delay", broker_down)
    first = catalog.product(made_to_order=True)
    second = catalog.product(made_to_order=True)
    order = submit(catalog.order(catalog.customer(region="SH"), (first, 1), (second, 1)))
    one, two = WorkOrder.objects.order_by("pk")
    finish(one)  # the broker is down: nothing was queued, and the receipt still succeeded
    tasks.refresh_priorities()
    order.refresh_from_db()
    # One work order is still being made: its line keeps the order in production.
    assert order.status == S.IN_PRODUCTION
    assert allocations(order) == {"SH1": 1}
    finish(two)
    tasks.refresh_priorities()
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    assert allocations(order) == {"SH1": 2}
    assert list(reservation_drift()) == []


def test_a_held_order_gets_its_made_to_order_goods_after_it_is_resumed(catalog):
    from orders import tasks

    order = submit(
        catalog.order(catalog.customer(region="SH"), (catalog.product(made_to_order=True), 1))
    )
    services.order_hold(actor=None, order=order, reason="customer asked to wait")
    work_order = finish(WorkOrder.objects.get())
    assert tasks.allocate_finished_work_order(work_order.pk) is False
    assert Order.objects.get(pk=order.pk).status == S.IN_PRODUCTION
    services.order_resume(actor=None, order=order)
    tasks.refresh_priorities()
    assert Order.objects.get(pk=order.pk).status == S.ALLOCATED


def test_cancel_stops_the_work_order(catalog):
    order = submit(catalog.order(catalog.customer(), (catalog.product(made_to_order=True), 1)))
    services.order_cancel(actor=None, order=order, reason="changed mind")
    assert WorkOrder.objects.get().stage == WorkOrderStage.CANCELLED


def test_amend_down_releases_from_the_farthest_warehouse(catalog):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 3)
    catalog.stock(product, catalog.guangzhou, 5)
    order = submit(catalog.order(catalog.customer(region="SH"), (product, 6)))
    assert allocations(order) == {"SH1": 3, "GZ1": 3}
    services.order_amend(actor=None, order=order, changes={1: 4})
    assert allocations(order) == {"SH1": 3, "GZ1": 1}
    services.order_amend(actor=None, order=order, changes={1: 7})
    assert allocations(order) == {"SH1": 3, "GZ1": 4}
    assert list(reservation_drift()) == []


def test_a_failure_halfway_through_confirmation_leaves_nothing(catalog, monkeypatch):
    """If allocation breaks after reserving some stock, the whole confirmation rolls back."""
    from orders import allocation

    a, b = catalog.product(), catalog.product()
    catalog.stock(a, catalog.shanghai, 5)
    catalog.stock(b, catalog.shanghai, 5)
    order = catalog.order(catalog.customer(), (a, 2), (b, 2))
    real_reserve = allocation.reserve_for_lines
    calls = []

    def failing_reserve(taken):
        # Reserve the first line for real, then crash before the second.
        for key, quantity in sorted(taken.items()):
            calls.append(key)
            if len(calls) == 2:
                raise allocation.AllocationConflict("simulated crash")
            real_reserve({key: quantity})

    monkeypatch.setattr(allocation, "reserve_for_lines", failing_reserve)
    with pytest.raises(allocation.AllocationConflict):
        services.order_submit(actor=None, order=order)
    assert Order.objects.get(pk=order.pk).status == S.DRAFT
    assert not Allocation.objects.exists()
    assert set(StockLevel.objects.values_list("reserved", flat=True)) == {0}


def test_database_stops_a_reservation_beyond_on_hand(catalog):
    from django.db import IntegrityError, transaction

    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 2)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_stocklevel SET reserved = 3")


def test_reservation_check_reports_drift(catalog):
    from orders.tasks import check_reservations

    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 5)
    submit(catalog.order(catalog.customer(), (product, 2)))
    assert check_reservations() == 0
    StockLevel.objects.update(reserved=1)
    assert check_reservations() == 1


def test_orders_wanted_far_ahead_stay_confirmed_until_due(catalog, today, settings):
    from datetime import timedelta

    from orders.tasks import refresh_priorities

    settings.OMS_ALLOCATION_HORIZON_DAYS = 30
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 5)
    order = submit(
        catalog.order(
            catalog.customer(), (product, 2), requested_delivery_date=today + timedelta(days=45)
        )
    )
    assert order.status == S.CONFIRMED
    assert allocations(order) == {}
    refresh_priorities()
    assert Order.objects.get(pk=order.pk).status == S.CONFIRMED
    settings.OMS_ALLOCATION_HORIZON_DAYS = 60
    refresh_priorities()
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    assert allocations(order) == {"SH1": 2}


def test_a_broker_outage_does_not_fail_the_receipt(
    catalog, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from orders import tasks

    def broker_down(*args):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.allocate_backorders, "delay", broker_down)
    product = catalog.product()
    order = submit(catalog.order(catalog.customer(), (product, 1)))
    with django_capture_on_commit_callbacks(execute=True):
        catalog.stock(product, catalog.shanghai, 1)  # no exception although nothing was queued
    assert order.status == S.BACKORDERED
    tasks.refresh_priorities()  # the nightly job catches up
    assert Order.objects.get(pk=order.pk).status == S.ALLOCATED
