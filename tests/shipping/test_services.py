"""Shipment services: creation from allocations, each transition, dispatch issuing stock,
the order following its shipments, hooks and cancellations."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_drift
from oms.errors import ServiceError
from oms.models import AuditLog
from orders import hooks as order_hooks
from orders import services as order_services
from orders.errors import InvalidTransition
from orders.models import Allocation, Order
from orders.selectors import reservation_drift
from shipping import hooks, order_reactions, services
from shipping.choices import SHIPMENT_TRANSITIONS, ShipmentStatus
from shipping.models import ShipmentEvent
from shipping.permissions import ShipmentAction, ShipmentError
from tests.factories import UserFactory

S = ShipmentStatus


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def assert_books_balance():
    """The nightly checks: reserved = Σ open allocations, on_hand = Σ ledger."""
    assert list(reservation_drift()) == []
    assert list(ledger_drift()) == []


@pytest.fixture
def two_warehouse_order(shipping):
    """5 units wanted, 3 in Shanghai and 2 in Guangzhou: two shipments."""
    product = shipping.product()
    order = shipping.allocated_order(
        (product, 5),
        stock=[(product, shipping.shanghai, 3), (product, shipping.guangzhou, 2)],
    )
    assert order.status == "allocated"
    return order


def test_start_picking_makes_one_shipment_per_warehouse(two_warehouse_order, shipping):
    order = two_warehouse_order
    shipments = shipping.picked(order)

    assert sorted((s.warehouse.code, s.status) for s in shipments) == [
        ("GZ1", S.PICKING),
        ("SH1", S.PICKING),
    ]
    assert sorted(s.lines.get().quantity for s in shipments) == [2, 3]
    for shipment in shipments:
        line = shipment.lines.get()
        [allocation] = line.allocations.all()
        assert allocation.stock_level.warehouse_id == shipment.warehouse_id
        assert shipment.number.startswith("SH-")
        kinds = list(shipment.events.values_list("kind", "from_status", "to_status"))
        assert kinds == [("created", "", S.PENDING), ("status", S.PENDING, S.PICKING)]
    order = fresh(order)
    assert order.status == "picking"
    assert order.picking_started_at is not None
    assert order.fulfilment_status == "unfulfilled"
    # Nothing new to ship: asking again makes no shipment.
    assert services.shipments_create_for_order(actor=None, order=order) == []


def test_each_step_to_delivered_moves_the_order(shipping):
    product = shipping.product(weight_kg=Decimal("1.250"))
    order = shipping.allocated_order((product, 2), stock=[(product, shipping.shanghai, 2)])
    [shipment] = shipping.picked(order)
    shipment = services.shipment_pack(actor=None, shipment=shipment, lots={})
    assert shipment.status == S.PACKED
    assert shipment.packed_at is not None
    services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details())
    assert fresh(order).status == "shipped"
    assert fresh(order).fulfilment_status == "fulfilled"
    for action, shipment_status, order_status in [
        (ShipmentAction.IN_TRANSIT, S.IN_TRANSIT, "in_transit"),
        (ShipmentAction.OUT_FOR_DELIVERY, S.OUT_FOR_DELIVERY, "in_transit"),
        (ShipmentAction.EXCEPTION, S.EXCEPTION, "in_transit"),
        (ShipmentAction.DELIVERED, S.DELIVERED, "delivered"),
    ]:
        shipment = services.shipment_record_progress(
            actor=None, shipment=shipment, action=action, note="held at depot"
        )
        assert shipment.status == shipment_status
        assert fresh(order).status == order_status
    assert shipment.delivered_at is not None
    # Delivered is final: a late report never moves it back.
    with pytest.raises(ShipmentError, match="cannot become"):
        services.shipment_record_progress(
            actor=None, shipment=shipment, action=ShipmentAction.IN_TRANSIT
        )
    statuses = list(shipment.events.values_list("to_status", flat=True))
    assert statuses == [
        S.PENDING,
        S.PICKING,
        S.PACKED,
        S.DISPATCHED,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.EXCEPTION,
        S.DELIVERED,
    ]
    assert AuditLog.objects.filter(object_type="shipping.shipment").count() == 8


def test_terminal_statuses_lead_nowhere():
    for status in (S.DELIVERED, S.RETURNED, S.CANCELLED):
        assert SHIPMENT_TRANSITIONS[status] == frozenset()
    assert set(SHIPMENT_TRANSITIONS) == set(S)


def test_pack_records_lots_and_refuses_wrong_ones(shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = shipping.picked(order)
    line = shipment.lines.get()
    with pytest.raises(ValidationError):
        services.shipment_pack(actor=None, shipment=shipment, lots={line.pk: "L" * 61})
    with pytest.raises(ValidationError):
        services.shipment_pack(actor=None, shipment=shipment, lots={line.pk + 999: "L1"})
    assert fresh(shipment).status == S.PICKING
    services.shipment_pack(actor=None, shipment=shipment, lots={line.pk: " 2026-11-A "})
    assert fresh(line).lot == "2026-11-A"
    assert fresh(shipment).status == S.PACKED


def test_dispatch_issues_the_stock_once_and_keeps_the_books_exact(shipping):
    first, second = shipping.product(), shipping.product()
    order = shipping.allocated_order(
        (first, 3),
        (second, 1),
        stock=[(first, shipping.shanghai, 10), (second, shipping.shanghai, 4)],
    )
    [shipment] = shipping.packed(order)
    shipment = services.shipment_dispatch(
        actor=None, shipment=shipment, details=shipping.details(cod_amount=Decimal("50.00"))
    )

    levels = {level.product_id: level for level in StockLevel.objects.all()}
    assert (levels[first.pk].on_hand, levels[first.pk].reserved) == (7, 0)
    assert (levels[second.pk].on_hand, levels[second.pk].reserved) == (3, 0)
    issues = StockMovement.objects.filter(kind="issue").order_by("pk")
    assert [(m.product_id, m.quantity, m.reference) for m in issues] == [
        (first.pk, -3, shipment.number),
        (second.pk, -1, shipment.number),
    ]
    assert not Allocation.objects.filter(issued_at__isnull=True).exists()
    for line in shipment.lines.all():
        [allocation] = line.allocations.all()
        assert allocation.issued_at is not None
        assert allocation.quantity == line.quantity
    assert (shipment.carrier, shipment.tracking_number, shipment.parcels) == (
        "SF Express",
        "SF1000000001",
        2,
    )
    assert shipment.cod_amount == Decimal("50.00")
    assert shipment.dispatched_at is not None
    assert_books_balance()

    with pytest.raises(ShipmentError, match="already been dispatched"):
        services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details())
    assert StockMovement.objects.filter(kind="issue").count() == 2
    assert_books_balance()


def test_bad_dispatch_details_change_nothing(shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = shipping.packed(order)
    for bad, field in [
        ({"carrier": " "}, "carrier"),
        ({"tracking_number": ""}, "tracking_number"),
        ({"parcels": 0}, "parcels"),
        ({"weight_kg": Decimal("-1")}, "weight_kg"),
        ({"declared_value": Decimal("-0.01")}, "declared_value"),
        ({"service": "teleport"}, "service"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.shipment_dispatch(
                actor=None, shipment=shipment, details=shipping.details(**bad)
            )
        assert field in caught.value.message_dict
    assert fresh(shipment).status == S.PACKED
    assert not StockMovement.objects.filter(kind="issue").exists()


def test_a_tracking_number_names_one_shipment_per_carrier(shipping):
    product = shipping.product()
    stock = [(product, shipping.shanghai, 2)]
    one = shipping.allocated_order((product, 1), stock=stock)
    other = shipping.allocated_order((product, 1))
    [first] = shipping.packed(one)
    [second] = shipping.packed(other)
    services.shipment_dispatch(actor=None, shipment=first, details=shipping.details("T-1"))
    with pytest.raises(ValidationError) as caught:
        services.shipment_dispatch(actor=None, shipment=second, details=shipping.details("T-1"))
    assert "tracking_number" in caught.value.message_dict
    services.shipment_dispatch(
        actor=None, shipment=second, details=shipping.details("T-1", carrier="EMS")
    )


def test_a_dispatch_guard_refuses_with_its_reason(shipping, monkeypatch):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = shipping.packed(order)
    asked = []

    def unpaid(candidate):
        asked.append(candidate.number)
        return "Prepaid order not paid yet."

    monkeypatch.setattr(hooks, "dispatch_guards", [unpaid])
    with pytest.raises(ShipmentError, match="Prepaid order not paid yet"):
        services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details())
    assert asked == [shipment.number]
    assert fresh(shipment).status == S.PACKED
    assert fresh(order).status == "picking"
    assert not StockMovement.objects.filter(kind="issue").exists()


def test_higher_layers_hear_of_each_event(shipping, monkeypatch):
    heard = []
    for name in ("shipment_dispatched", "shipment_delivered", "shipment_returned"):
        monkeypatch.setattr(
            hooks, name, [lambda shipment, actor, name=name: heard.append((name, shipment.status))]
        )
    monkeypatch.setattr(
        hooks,
        "shipment_cancelled",
        [lambda shipment, actor: heard.append(("shipment_cancelled", shipment.status))],
    )
    product = shipping.product()
    stock = [(product, shipping.shanghai, 3)]
    delivered = shipping.allocated_order((product, 1), stock=stock)
    returned = shipping.allocated_order((product, 1))
    cancelled = shipping.allocated_order((product, 1))
    for order, last in [
        (delivered, ShipmentAction.DELIVERED),
        (returned, ShipmentAction.RETURNED),
    ]:
        [shipment] = shipping.packed(order)
        shipment = services.shipment_dispatch(
            actor=None, shipment=shipment, details=shipping.details(order.number)
        )
        services.shipment_record_progress(actor=None, shipment=shipment, action=last)
    shipping.picked(cancelled)
    order_services.order_cancel(actor=None, order=cancelled, reason="customer changed mind")

    assert heard == [
        ("shipment_dispatched", S.DISPATCHED),
        ("shipment_delivered", S.DELIVERED),
        ("shipment_dispatched", S.DISPATCHED),
        ("shipment_returned", S.RETURNED),
        ("shipment_cancelled", S.CANCELLED),
    ]
    assert fresh(returned).fulfilment_status == "returned"


def test_partially_shipped_then_shipped_then_delivered(two_warehouse_order, shipping):
    order = two_warehouse_order
    shanghai, guangzhou = sorted(shipping.packed(order), key=lambda s: s.warehouse.code != "SH1")
    services.shipment_dispatch(actor=None, shipment=shanghai, details=shipping.details("A1"))
    order = fresh(order)
    assert (order.status, order.fulfilment_status) == ("partially_shipped", "partial")
    services.shipment_record_progress(
        actor=None, shipment=shanghai, action=ShipmentAction.IN_TRANSIT
    )
    assert fresh(order).status == "partially_shipped"  # the least advanced decides
    services.shipment_dispatch(actor=None, shipment=guangzhou, details=shipping.details("A2"))
    order = fresh(order)
    assert (order.status, order.fulfilment_status) == ("shipped", "fulfilled")
    services.shipment_record_progress(
        actor=None, shipment=guangzhou, action=ShipmentAction.IN_TRANSIT
    )
    assert fresh(order).status == "in_transit"
    for shipment in (shanghai, guangzhou):
        services.shipment_record_progress(
            actor=None, shipment=shipment, action=ShipmentAction.DELIVERED
        )
    assert fresh(order).status == "delivered"
    assert_books_balance()


def test_part_of_an_allocation_can_ship(shipping):
    """An allocation holding more than a shipment takes is split: the shipped part is issued,
    the rest stays reserved."""
    product = shipping.product()
    order = shipping.allocated_order((product, 5), stock=[(product, shipping.shanghai, 5)])
    line = order.lines.get()
    with transaction.atomic():
        [issued] = order_services.order_issue_stock(
            order=order,
            issues=[order_services.LineIssue(line.pk, shipping.shanghai.pk, 2)],
            reference="SH-TEST",
        )
    assert (issued.quantity, issued.issued_at is not None) == (2, True)
    assert Allocation.objects.get(issued_at__isnull=True).quantity == 3
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (3, 3)
    assert_books_balance()
    with transaction.atomic(), pytest.raises(InvalidTransition, match="Only 3 units"):
        order_services.order_issue_stock(
            order=order,
            issues=[order_services.LineIssue(line.pk, shipping.shanghai.pk, 4)],
            reference="SH-TEST",
        )


def test_cancelling_voids_shipments_not_dispatched(two_warehouse_order, shipping):
    order = two_warehouse_order
    shipments = shipping.picked(order)
    order_services.order_cancel(actor=None, order=order, reason="customer cancelled")
    assert {fresh(s).status for s in shipments} == {S.CANCELLED}
    assert fresh(order).status == "cancelled"
    assert set(StockLevel.objects.values_list("reserved", flat=True)) == {0}
    assert ShipmentEvent.objects.filter(to_status=S.CANCELLED, note="customer cancelled").count()
    assert_books_balance()


def test_cancelling_a_partially_shipped_order_cancels_its_remainder(two_warehouse_order, shipping):
    order = two_warehouse_order
    shanghai, guangzhou = sorted(shipping.packed(order), key=lambda s: s.warehouse.code != "SH1")
    services.shipment_dispatch(actor=None, shipment=shanghai, details=shipping.details("B1"))
    assert fresh(order).status == "partially_shipped"

    order = order_services.order_cancel(actor=None, order=order, reason="rest not needed")

    assert (order.status, order.fulfilment_status) == ("shipped", "fulfilled")
    assert order.remainder_cancelled
    assert fresh(shanghai).status == S.DISPATCHED
    assert fresh(guangzhou).status == S.CANCELLED
    levels = dict(StockLevel.objects.values_list("warehouse__code", "reserved"))
    assert levels == {"SH1": 0, "GZ1": 0}
    assert dict(StockLevel.objects.values_list("warehouse__code", "on_hand")) == {
        "SH1": 0,
        "GZ1": 2,
    }
    assert order.events.filter(kind="remainder", note="rest not needed").exists()
    assert_books_balance()
    # It goes on with what was dispatched.
    services.shipment_record_progress(
        actor=None, shipment=shanghai, action=ShipmentAction.DELIVERED
    )
    assert fresh(order).status == "delivered"
    with pytest.raises(InvalidTransition):
        order_services.order_cancel(actor=None, order=order, reason="again")


def test_goods_with_the_carrier_block_a_cancel(shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = shipping.packed(order)
    services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details())
    with pytest.raises(InvalidTransition, match="cannot be cancelled"):
        order_services.order_cancel(actor=None, order=order, reason="too late")
    # The guard shipping registered says the same when asked (e.g. an order still picking).
    assert order_reactions.refuse_cancel_when_dispatched in order_hooks.order_cancel_guards
    message = order_reactions.refuse_cancel_when_dispatched(fresh(order))
    assert shipment.number in message
    assert "cannot be cancelled" in message
    assert fresh(order).status == "shipped"


def test_a_held_order_does_not_ship_and_catches_up_when_resumed(two_warehouse_order, shipping):
    order = two_warehouse_order
    shanghai, guangzhou = sorted(shipping.packed(order), key=lambda s: s.warehouse.code != "SH1")
    services.shipment_dispatch(actor=None, shipment=shanghai, details=shipping.details("C1"))
    order_services.order_hold(actor=None, order=order, reason="address check")
    with pytest.raises(ShipmentError, match="on hold"):
        services.shipment_dispatch(actor=None, shipment=guangzhou, details=shipping.details("C2"))
    # The carrier's news still arrives; the order follows once resumed.
    services.shipment_record_progress(
        actor=None, shipment=shanghai, action=ShipmentAction.IN_TRANSIT
    )
    order_services.order_resume(actor=None, order=order)
    assert fresh(order).status == "partially_shipped"
    services.shipment_dispatch(actor=None, shipment=guangzhou, details=shipping.details("C2"))
    assert fresh(order).status == "shipped"


def test_an_exception_needs_a_note(shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = shipping.packed(order)
    services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details())
    with pytest.raises(ValidationError):
        services.shipment_record_progress(
            actor=None, shipment=shipment, action=ShipmentAction.EXCEPTION, note=" "
        )
    with pytest.raises(ShipmentError):
        services.shipment_record_progress(
            actor=None, shipment=shipment, action=ShipmentAction.DISPATCH
        )


def test_roles_are_checked_by_the_services(shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    warehouse = UserFactory(username="picker", role="warehouse")
    logistics = UserFactory(username="desk", role="logistics")
    sales = UserFactory(username="seller", role="sales")
    [shipment] = shipping.picked(order, actor=warehouse)
    with pytest.raises(PermissionDenied):
        services.shipment_pack(actor=sales, shipment=shipment)
    with pytest.raises(PermissionDenied):
        services.shipment_pack(actor=logistics, shipment=shipment)
    services.shipment_pack(actor=warehouse, shipment=shipment)
    with pytest.raises(PermissionDenied):
        services.shipment_dispatch(actor=sales, shipment=shipment, details=shipping.details())
    shipment = services.shipment_dispatch(
        actor=logistics, shipment=shipment, details=shipping.details()
    )
    with pytest.raises(PermissionDenied):
        services.shipment_record_progress(
            actor=warehouse, shipment=shipment, action=ShipmentAction.IN_TRANSIT
        )
    services.shipment_record_progress(
        actor=logistics, shipment=shipment, action=ShipmentAction.IN_TRANSIT
    )
    event = shipment.events.get(to_status=S.DISPATCHED)
    assert event.actor == logistics
    assert fresh(order).events.filter(kind="issued", actor=logistics).exists()


def test_start_picking_from_the_shipment_page_moves_the_order_too(shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = services.shipments_create_for_order(actor=None, order=order)
    assert fresh(order).status == "allocated"
    services.shipment_start_picking(actor=None, shipment=shipment)
    assert fresh(order).status == "picking"
    assert Order.objects.get(pk=order.pk).picking_started_at is not None


def test_lines_a_shipment_holds_cannot_be_amended_away(shipping):
    """A shipment made for an order still waiting to be picked points at its lines: an
    amendment that would remove one is refused with the shipment's number, not a 500."""
    product, other = shipping.product(), shipping.product()
    order = shipping.allocated_order(
        (product, 2),
        (other, 1),
        stock=[(product, shipping.shanghai, 2), (other, shipping.shanghai, 1)],
    )
    [shipment] = services.shipments_create_for_order(actor=None, order=order)
    with pytest.raises(ServiceError, match=shipment.number):
        order_services.order_amend(actor=None, order=fresh(order), changes={1: 0})
    assert fresh(order).lines.count() == 2
    assert order_reactions.refuse_amend_with_shipments in order_hooks.order_amend_guards
