"""Returned parcels: booking back in (one ledger row per line, once), then sending the goods
again (a new shipment, allocated like any order) or not (the order's rest cancelled), and a
back-ordered remainder shipping on its own once stock arrives."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from inventory.models import StockLevel, StockMovement
from inventory.services import stock_adjust, stock_receive
from oms.models import AuditLog
from orders import services as order_services
from orders.models import Allocation, Order
from orders.tasks import allocate_backorders
from shipping import returns, services
from shipping.choices import ShipmentStatus
from shipping.models import ReturnReceipt, Shipment
from shipping.permissions import ShipmentAction, ShipmentError
from tests.factories import UserFactory
from tests.shipping.test_services import assert_books_balance, fresh

S = ShipmentStatus


def dispatched(shipping, order, tracking="RT1"):
    [shipment] = shipping.packed(order)
    return services.shipment_dispatch(
        actor=None, shipment=shipment, details=shipping.details(tracking)
    )


def returned(shipping, order, tracking="RT1"):
    shipment = dispatched(shipping, order, tracking)
    services.shipment_record_progress(
        actor=None, shipment=shipment, action=ShipmentAction.IN_TRANSIT
    )
    return services.shipment_record_progress(
        actor=None, shipment=shipment, action=ShipmentAction.RETURNED, note="refused"
    )


@pytest.fixture
def two_lines(shipping):
    lamp, shade = shipping.product(), shipping.product()
    order = shipping.allocated_order(
        (lamp, 2),
        (shade, 3),
        stock=[(lamp, shipping.shanghai, 2), (shade, shipping.shanghai, 3)],
    )
    return order, lamp, shade


def on_hand(product, warehouse):
    return StockLevel.objects.get(product=product, warehouse=warehouse).on_hand


def test_booking_in_puts_each_line_back_on_hand_once(shipping, two_lines):
    order, lamp, shade = two_lines
    shipment = returned(shipping, order)
    assert fresh(order).fulfilment_status == "returned"
    assert on_hand(lamp, shipping.shanghai) == 0
    warehouse_user = UserFactory(role="warehouse")

    receipt, booked = returns.shipment_receive_return(
        actor=warehouse_user, shipment=shipment, note="boxes intact"
    )
    assert booked
    assert receipt.units == 5
    moves = StockMovement.objects.filter(kind="return", reference=shipment.number)
    assert sorted(moves.values_list("product_id", "quantity")) == sorted(
        [(lamp.pk, 2), (shade.pk, 3)]
    )
    assert (on_hand(lamp, shipping.shanghai), on_hand(shade, shipping.shanghai)) == (2, 3)
    assert_books_balance()
    # On both timelines and in the audit log.
    assert shipment.events.filter(kind="received", note="boxes intact").exists()
    # The booking's line, beside the one that said every parcel came back.
    event = fresh(order).events.get(kind="returned", message={})
    assert event.data["reference"] == shipment.number
    assert sum(event.data["returned"].values()) == 5
    assert AuditLog.objects.filter(action="shipment.return_received").count() == 1

    again, booked_again = returns.shipment_receive_return(actor=warehouse_user, shipment=shipment)
    assert (again.pk, booked_again) == (receipt.pk, False)
    assert moves.count() == 2
    assert on_hand(lamp, shipping.shanghai) == 2


def test_only_a_returned_parcel_is_booked_in_by_a_role_that_may(shipping, two_lines):
    order, _lamp, _shade = two_lines
    shipment = dispatched(shipping, order)
    with pytest.raises(ShipmentError, match="nothing to book in"):
        returns.shipment_receive_return(actor=None, shipment=shipment)
    services.shipment_record_progress(actor=None, shipment=shipment, action=ShipmentAction.RETURNED)
    with pytest.raises(PermissionDenied):
        returns.shipment_receive_return(actor=UserFactory(role="sales"), shipment=shipment)
    with pytest.raises(ValidationError):
        returns.shipment_receive_return(actor=None, shipment=shipment, note="x" * 501)
    assert not StockMovement.objects.filter(kind="return").exists()
    with pytest.raises(ShipmentError, match=r"Book .* back in first"):
        returns.return_reship(actor=None, shipment=shipment)


def test_sending_again_makes_a_new_shipment_of_the_returned_goods(shipping, two_lines):
    order, lamp, shade = two_lines
    shipment = returned(shipping, order)
    returns.shipment_receive_return(actor=None, shipment=shipment)
    logistics = UserFactory(role="logistics")

    [again] = returns.return_reship(actor=logistics, shipment=shipment, note="customer home now")
    assert again.status == S.PENDING
    assert sorted(again.lines.values_list("product_id", "quantity")) == sorted(
        [(lamp.pk, 2), (shade.pk, 3)]
    )
    receipt = ReturnReceipt.objects.get(shipment=shipment)
    assert receipt.resolution == "reshipped"
    assert list(receipt.reshipments.all()) == [again]
    assert receipt.resolved_by == logistics
    assert shipment.events.filter(kind="reshipped").get().data["shipments"] == [again.number]
    # The returned allocations are history; the lines hold fresh ones.
    assert Allocation.objects.filter(line__order=order, returned_at__isnull=False).count() == 2
    order = fresh(order)
    assert order.fulfilment_status == "unfulfilled"
    assert_books_balance()
    with pytest.raises(ShipmentError, match="decided already"):
        returns.return_close(actor=None, shipment=shipment, reason="changed mind")

    services.shipment_start_picking(actor=None, shipment=again)
    services.shipment_pack(actor=None, shipment=again)
    services.shipment_dispatch(actor=None, shipment=again, details=shipping.details("RT2"))
    order = fresh(order)
    # The order was in transit when the parcel came back and never moves back.
    assert (order.status, order.fulfilment_status) == ("in_transit", "fulfilled")
    assert (on_hand(lamp, shipping.shanghai), on_hand(shade, shipping.shanghai)) == (0, 0)
    assert_books_balance()


def test_not_sending_again_cancels_the_orders_rest(shipping, two_lines):
    order, lamp, _shade = two_lines
    shipment = returned(shipping, order)
    returns.shipment_receive_return(actor=None, shipment=shipment)
    with pytest.raises(ValidationError, match="Say why"):
        returns.return_close(actor=None, shipment=shipment, reason=" ")
    with pytest.raises(PermissionDenied):
        returns.return_close(actor=UserFactory(role="warehouse"), shipment=shipment, reason="x")

    returns.return_close(actor=None, shipment=shipment, reason="客户不要了 customer declined")
    order = fresh(order)
    assert order.remainder_cancelled
    assert (order.status, order.fulfilment_status) == ("in_transit", "returned")
    assert order.events.filter(kind="remainder").exists()
    assert shipment.events.filter(kind="closed").exists()
    # The goods stay on hand, free for other orders.
    level = StockLevel.objects.get(product=lamp, warehouse=shipping.shanghai)
    assert (level.on_hand, level.reserved) == (2, 0)
    assert_books_balance()
    with pytest.raises(ShipmentError, match="decided already"):
        returns.return_reship(actor=None, shipment=shipment)


def test_goods_without_free_stock_ship_when_it_arrives(shipping, two_lines):
    order, lamp, shade = two_lines
    shipment = returned(shipping, order)
    returns.shipment_receive_return(actor=None, shipment=shipment)
    # Another order's damage write-off takes the returned lamps before the desk decides.
    stock_adjust(
        actor=None, product=lamp, warehouse=shipping.shanghai, quantity=-2, reason="damaged"
    )
    [partial] = returns.return_reship(actor=None, shipment=shipment)
    assert list(partial.lines.values_list("product_id", "quantity")) == [(shade.pk, 3)]
    assert shipment.events.get(kind="reshipped").data["short"] == 2

    stock_receive(actor=None, product=lamp, warehouse=shipping.guangzhou, quantity=5)
    allocate_backorders([lamp.pk])  # what the worker runs after the receipt commits
    later = Shipment.objects.filter(order=order).exclude(pk__in=[shipment.pk, partial.pk]).get()
    assert later.warehouse == shipping.guangzhou
    assert list(later.lines.values_list("product_id", "quantity")) == [(lamp.pk, 2)]
    assert later.status == S.PENDING
    assert_books_balance()
    # Running the job again ships nothing twice.
    allocate_backorders([lamp.pk])
    assert Shipment.objects.filter(order=order).count() == 3


def test_a_back_ordered_order_ships_what_it_holds_and_the_rest_later(shipping):
    product = shipping.product(weight_kg=Decimal("1.000"))
    order = shipping.allocated_order((product, 5), stock=[(product, shipping.shanghai, 3)])
    assert order.status == "backordered"
    # Today: the warehouse ships the 3 it holds; the 2 missing wait.
    [first] = shipping.picked(order)
    assert first.lines.get().quantity == 3
    services.shipment_pack(actor=None, shipment=first)
    services.shipment_dispatch(actor=None, shipment=first, details=shipping.details("BO1"))
    order = fresh(order)
    assert (order.status, order.fulfilment_status) == ("partially_shipped", "partial")

    stock_receive(actor=None, product=product, warehouse=shipping.shanghai, quantity=2)
    allocate_backorders([product.pk])
    second = Shipment.objects.filter(order=order).exclude(pk=first.pk).get()
    assert (second.status, second.lines.get().quantity) == (S.PENDING, 2)
    assert second.carrier_service is None or second.events.filter(kind="carrier").exists()
    services.shipment_start_picking(actor=None, shipment=second)
    services.shipment_pack(actor=None, shipment=second)
    services.shipment_dispatch(actor=None, shipment=second, details=shipping.details("BO2"))
    order = fresh(order)
    assert (order.status, order.fulfilment_status) == ("shipped", "fulfilled")
    assert_books_balance()


def test_a_held_or_cancelled_rest_gets_no_new_shipment(shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 4), stock=[(product, shipping.shanghai, 1)])
    [first] = shipping.packed(order)
    services.shipment_dispatch(actor=None, shipment=first, details=shipping.details("BO3"))
    order_services.order_cancel(actor=None, order=order, reason="rest not needed")
    stock_receive(actor=None, product=product, warehouse=shipping.shanghai, quantity=3)
    allocate_backorders([product.pk])
    assert Shipment.objects.filter(order=order).count() == 1
    assert Order.objects.get(pk=order.pk).remainder_cancelled
    assert_books_balance()
