"""A work order's bill of materials: editing, the materials confirmation, and the stock its
production reserves, issues and releases (reserved = Σ open allocations + reservations)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inventory.choices import AdjustmentReason, MovementKind, WorkOrderStage
from inventory.models import ComponentReservation, StockLevel, StockMovement, WorkOrderComponent
from inventory.selectors import ledger_drift, work_order_components
from inventory.services import stock_receive
from inventory.work_orders import (
    work_order_advance,
    work_order_cancel,
    work_order_confirm_materials,
    work_order_create,
    work_order_remove_component,
    work_order_set_component,
)
from oms.errors import ServiceError
from oms.models import AuditLog
from orders.selectors import reservation_drift
from orders.services import LineRequest, order_create, order_submit
from orders.tasks import check_reservations
from tests.factories import AddressFactory, ProductFactory, UserFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    warehouse = WarehouseFactory(code="SH1")
    lamp = ProductFactory(sku="CHAND-1", made_to_order=True)
    crystals, frame = ProductFactory(sku="CRYSTAL-1"), ProductFactory(sku="FRAME-1")
    stock_receive(
        actor=None, product=crystals, warehouse=warehouse, quantity=100, unit_cost=Decimal(2)
    )
    stock_receive(actor=None, product=frame, warehouse=warehouse, quantity=3, unit_cost=Decimal(40))
    work_order = work_order_create(product=lamp, warehouse=warehouse, quantity=2, reference="SO-1")
    buyer = UserFactory(username="buyer", role="purchasing")
    return warehouse, lamp, crystals, frame, work_order, buyer


def level(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def with_bom(shop, crystals_qty=60, frame_qty=2, confirm=True):
    _warehouse, _lamp, crystals, frame, work_order, buyer = shop
    work_order_set_component(
        actor=buyer, work_order=work_order, product=crystals, quantity=crystals_qty
    )
    work_order_set_component(actor=buyer, work_order=work_order, product=frame, quantity=frame_qty)
    if confirm:
        work_order_confirm_materials(actor=buyer, work_order=work_order)
    work_order.refresh_from_db()
    return work_order


def test_bom_lines_are_set_changed_and_removed_while_not_started(shop):
    _warehouse, _lamp, crystals, frame, work_order, buyer = shop
    work_order_set_component(actor=buyer, work_order=work_order, product=crystals, quantity=50)
    work_order_set_component(actor=buyer, work_order=work_order, product=crystals, quantity=60)
    component = work_order_set_component(
        actor=buyer, work_order=work_order, product=frame, quantity=2
    )
    assert {c.product.sku: c.quantity for c in work_order_components(work_order)} == {
        "CRYSTAL-1": 60,
        "FRAME-1": 2,
    }
    work_order_remove_component(actor=buyer, work_order=work_order, component_id=component.pk)
    assert list(work_order.components.values_list("product__sku", flat=True)) == ["CRYSTAL-1"]
    changes = list(
        AuditLog.objects.filter(action="work_order.bom", object_id=str(work_order.pk))
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert changes == [
        {"CRYSTAL-1": [0, 50]},
        {"CRYSTAL-1": [50, 60]},
        {"FRAME-1": [0, 2]},
        {"FRAME-1": [2, 0]},
    ]


def test_bad_components_are_refused(shop):
    _warehouse, lamp, crystals, _frame, work_order, buyer = shop
    with pytest.raises(ValidationError, match="component of itself"):
        work_order_set_component(actor=buyer, work_order=work_order, product=lamp, quantity=1)
    for quantity in (0, -3):
        with pytest.raises(ValidationError):
            work_order_set_component(
                actor=buyer, work_order=work_order, product=crystals, quantity=quantity
            )
    retired = ProductFactory(is_active=False)
    with pytest.raises(ValidationError, match="inactive"):
        work_order_set_component(actor=buyer, work_order=work_order, product=retired, quantity=1)
    assert not WorkOrderComponent.objects.exists()


def test_confirmation_records_who_and_when_and_a_bom_change_withdraws_it(shop):
    _warehouse, _lamp, crystals, _frame, work_order, buyer = shop
    with pytest.raises(ServiceError, match="no bill of materials"):
        work_order_confirm_materials(actor=buyer, work_order=work_order)
    work_order = with_bom(shop)
    assert work_order.materials_confirmed_by == buyer
    assert work_order.materials_confirmed_at is not None
    with pytest.raises(ServiceError, match="already confirmed"):
        work_order_confirm_materials(actor=buyer, work_order=work_order)
    assert AuditLog.objects.filter(action="work_order.materials_confirmed").count() == 1
    work_order_set_component(actor=buyer, work_order=work_order, product=crystals, quantity=61)
    work_order.refresh_from_db()
    assert work_order.materials_confirmed_at is None
    assert work_order.materials_confirmed_by is None
    assert AuditLog.objects.filter(action="work_order.bom").latest("id").changes == {
        "CRYSTAL-1": [60, 61],
        "materials_confirmed": [True, False],
    }


def test_production_waits_for_the_materials_confirmation(shop):
    work_order = with_bom(shop, confirm=False)
    with pytest.raises(ServiceError, match="before its materials are confirmed"):
        work_order_advance(actor=None, work_order=work_order)
    work_order.refresh_from_db()
    assert work_order.stage == WorkOrderStage.MATERIALS
    assert not ComponentReservation.objects.exists()


def test_a_work_order_without_bom_starts_as_before(shop):
    *_rest, work_order, _buyer = shop
    work_order = work_order_advance(actor=None, work_order=work_order)
    assert work_order.stage == WorkOrderStage.PRODUCTION


def test_start_reserves_finish_issues_and_the_nightly_check_stays_exact(shop):
    warehouse, lamp, crystals, frame, work_order, buyer = shop
    work_order = with_bom(shop)
    work_order = work_order_advance(actor=buyer, work_order=work_order)
    assert work_order.stage == WorkOrderStage.PRODUCTION
    assert (level(crystals, warehouse).on_hand, level(crystals, warehouse).reserved) == (100, 60)
    assert (level(frame, warehouse).on_hand, level(frame, warehouse).reserved) == (3, 2)
    assert ComponentReservation.objects.filter(issued_at=None, released_at=None).count() == 2
    assert list(reservation_drift()) == []
    assert check_reservations() == 0
    # The BOM is fixed once production started.
    with pytest.raises(ServiceError, match="only change before production starts"):
        work_order_set_component(actor=buyer, work_order=work_order, product=frame, quantity=1)
    with pytest.raises(ServiceError):
        work_order_confirm_materials(actor=buyer, work_order=work_order)

    work_order = work_order_advance(actor=buyer, work_order=work_order)  # quality check
    assert list(reservation_drift()) == []
    work_order = work_order_advance(actor=buyer, work_order=work_order)  # done
    assert (level(crystals, warehouse).on_hand, level(crystals, warehouse).reserved) == (40, 0)
    assert (level(frame, warehouse).on_hand, level(frame, warehouse).reserved) == (1, 0)
    assert level(lamp, warehouse).on_hand == 2
    issues = StockMovement.objects.filter(reference=work_order.number, kind=MovementKind.ISSUE)
    assert sorted(issues.values_list("product__sku", "quantity", "reason")) == [
        ("CRYSTAL-1", -60, AdjustmentReason.PRODUCTION),
        ("FRAME-1", -2, AdjustmentReason.PRODUCTION),
    ]
    # Issued at their average cost, by whoever finished the work order.
    assert {m.unit_cost for m in issues} == {2, 40}
    assert {m.actor for m in issues} == {buyer}
    assert not ComponentReservation.objects.filter(issued_at=None).exists()
    assert list(reservation_drift()) == []
    assert list(ledger_drift()) == []
    # One transaction: the receipt is the last row, after the components' issues.
    receipt = StockMovement.objects.get(reference=work_order.number, kind=MovementKind.RECEIPT)
    assert receipt.pk > max(issues.values_list("pk", flat=True))


def test_not_enough_components_refuses_the_start_naming_the_sku_and_writes_nothing(shop):
    warehouse, _lamp, crystals, frame, _work_order, _buyer = shop
    work_order = with_bom(shop, frame_qty=4)
    movements, audits = StockMovement.objects.count(), AuditLog.objects.count()
    with pytest.raises(ServiceError) as refused:
        work_order_advance(actor=None, work_order=work_order)
    assert "FRAME-1: 3 free, 4 needed" in str(refused.value)
    assert "CRYSTAL-1" not in str(refused.value)
    work_order.refresh_from_db()
    assert work_order.stage == WorkOrderStage.MATERIALS
    assert level(crystals, warehouse).reserved == 0
    assert level(frame, warehouse).reserved == 0
    assert not ComponentReservation.objects.exists()
    assert (StockMovement.objects.count(), AuditLog.objects.count()) == (movements, audits)


def test_components_reserved_for_orders_are_not_free_for_production(shop):
    warehouse, _lamp, _crystals, frame, _work_order, _buyer = shop
    from orders.models import PriceList, PriceListItem

    address = AddressFactory(region="SH")
    price_list = PriceList.objects.create(name="retail", customer_group=address.customer.group)
    PriceListItem.objects.create(price_list=price_list, product=frame, unit_price=100)
    order_submit(
        actor=None,
        order=order_create(actor=None, customer=address.customer, lines=[LineRequest(frame, 2)]),
    )
    assert level(frame, warehouse).reserved == 2
    work_order = with_bom(shop, frame_qty=2)
    with pytest.raises(ServiceError, match="FRAME-1: 1 free, 2 needed"):
        work_order_advance(actor=None, work_order=work_order)
    assert list(reservation_drift()) == []


def test_cancelling_a_started_work_order_releases_its_reservations(shop):
    warehouse, _lamp, crystals, frame, _work_order, _buyer = shop
    work_order = work_order_advance(actor=None, work_order=with_bom(shop))
    work_order_cancel(actor=None, work_order_id=work_order.pk)
    work_order.refresh_from_db()
    assert work_order.stage == WorkOrderStage.CANCELLED
    assert (level(crystals, warehouse).on_hand, level(crystals, warehouse).reserved) == (100, 0)
    assert (level(frame, warehouse).on_hand, level(frame, warehouse).reserved) == (3, 0)
    assert ComponentReservation.objects.filter(released_at__isnull=False).count() == 2
    assert not StockMovement.objects.filter(reference=work_order.number).exists()
    assert list(reservation_drift()) == []
    assert AuditLog.objects.get(action="work_order.cancel").changes == {"released": 2}


def test_the_nightly_check_finds_a_reservation_nobody_counts(shop):
    _warehouse, _lamp, crystals, _frame, _work_order, _buyer = shop
    work_order_advance(actor=None, work_order=with_bom(shop))
    assert check_reservations() == 0
    # A reservation closed behind the stock row's back is drift.
    ComponentReservation.objects.filter(stock_level__product=crystals).update(
        released_at="2026-01-01T00:00Z"
    )
    [drifted] = reservation_drift()
    assert (drifted.product, drifted.reserved, drifted.allocated) == (crystals, 60, 0)
    assert check_reservations() == 1


def test_cancelling_an_order_releases_the_components_of_its_work_orders(shop):
    from inventory.models import WorkOrder
    from orders.models import PriceList, PriceListItem
    from orders.services import order_cancel

    warehouse, lamp, crystals, frame, _work_order, buyer = shop
    other_lamp = ProductFactory(sku="CHAND-2", made_to_order=True)
    address = AddressFactory(region="SH")
    price_list = PriceList.objects.create(name="retail", customer_group=address.customer.group)
    for product in (lamp, other_lamp):
        PriceListItem.objects.create(price_list=price_list, product=product, unit_price=900)
    order = order_submit(
        actor=None,
        order=order_create(
            actor=None,
            customer=address.customer,
            lines=[LineRequest(lamp, 1), LineRequest(other_lamp, 1)],
        ),
    )
    made = list(WorkOrder.objects.filter(order_line_id__isnull=False).order_by("pk"))
    assert len(made) == 2
    # Both share the crystals, listed in the other order.
    for work_order, parts in zip(made, [[crystals, frame], [frame, crystals]], strict=True):
        for product in parts:
            work_order_set_component(
                actor=buyer, work_order=work_order, product=product, quantity=1
            )
        work_order_confirm_materials(actor=buyer, work_order=work_order)
        work_order_advance(actor=None, work_order=work_order)
    assert level(crystals, warehouse).reserved == 2
    order_cancel(actor=None, order=order, reason="customer changed their mind")
    assert level(crystals, warehouse).reserved == 0
    assert level(frame, warehouse).reserved == 0
    assert set(
        WorkOrder.objects.filter(pk__in=[w.pk for w in made]).values_list("stage", flat=True)
    ) == {WorkOrderStage.CANCELLED}
    assert ComponentReservation.objects.filter(released_at__isnull=False).count() == 4
    assert list(reservation_drift()) == []
