"""What a returned parcel does to its order: a returned shipment holds nothing (the order follows
its other shipments), an order whose every parcel came back says `returned` with one line on
its timeline, and a repeated carrier event or booking changes nothing twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.models import AuditLog
from orders.models import Order
from orders.services.fulfilment import ShipmentProgress, fulfilment_target
from orders.services.public_link import order_public_token
from shipping import returns, services
from shipping.permissions import ShipmentAction
from shipping.tracking.adapters import CarrierEvent
from shipping.tracking.services import tracking_events_apply
from tests.shipping.test_services import assert_books_balance

A = ShipmentAction


def fresh(order):
    return Order.objects.get(pk=order.pk)


def progress(shipment, action):
    return services.shipment_record_progress(actor=None, shipment=shipment, action=action)


def two_shipments(shipping):
    """An order shipping from two warehouses, both parcels with the carrier."""
    product = shipping.product()
    stock = [(product, shipping.shanghai, 2), (product, shipping.guangzhou, 2)]
    order = shipping.allocated_order((product, 4), stock=stock)
    shipments = shipping.packed(order)
    assert len(shipments) == 2
    for n, shipment in enumerate(shipments):
        services.shipment_dispatch(
            actor=None, shipment=shipment, details=shipping.details(f"RO{n}")
        )
    return order, shipments


def one_shipment(shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = shipping.packed(order)
    services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details("RO9"))
    return order, shipment


@pytest.mark.parametrize(
    ("progress_", "remainder", "expected"),
    [
        (ShipmentProgress(returned=1), False, (None, "returned")),
        (ShipmentProgress(delivered=1, returned=1), False, ("delivered", "partial")),
        (ShipmentProgress(moving=1, returned=1), False, ("in_transit", "partial")),
        (ShipmentProgress(dispatched=1, returned=2), False, ("shipped", "partial")),
        (ShipmentProgress(returned=1, waiting=1), False, (None, "returned")),
        (ShipmentProgress(returned=1, delivered=1), True, ("partially_shipped", "partial")),
        (ShipmentProgress(delivered=2), False, ("delivered", "fulfilled")),
        (ShipmentProgress(picking=1), False, ("picking", "unfulfilled")),
    ],
)
def test_a_returned_shipment_holds_nothing(progress_, remainder, expected):
    assert fulfilment_target(progress_, remainder=remainder) == expected


def test_delivered_beside_returned_makes_the_order_delivered(shipping):
    order, (first, second) = two_shipments(shipping)
    progress(first, A.IN_TRANSIT)
    progress(second, A.IN_TRANSIT)
    progress(first, A.DELIVERED)
    assert (fresh(order).status, fresh(order).fulfilment_status) == ("in_transit", "fulfilled")

    progress(second, A.RETURNED)
    order = fresh(order)
    # Before: the returned parcel held the order in transit for ever.
    assert (order.status, order.fulfilment_status) == ("delivered", "partial")
    assert not order.events.filter(kind="returned").exists()
    assert_books_balance()


def test_a_returned_parcel_beside_one_on_the_way_waits_for_that_one(shipping):
    order, (first, second) = two_shipments(shipping)
    progress(first, A.IN_TRANSIT)
    assert fresh(order).status == "shipped"  # the second is dispatched, not yet moving
    progress(second, A.RETURNED)
    order = fresh(order)
    assert (order.status, order.fulfilment_status) == ("in_transit", "partial")
    progress(first, A.DELIVERED)
    assert fresh(order).status == "delivered"


def test_every_parcel_back_says_returned_once(shipping):
    order, (first, second) = two_shipments(shipping)
    progress(first, A.IN_TRANSIT)
    progress(second, A.IN_TRANSIT)
    progress(first, A.RETURNED)
    assert fresh(order).fulfilment_status == "partial"
    assert not fresh(order).events.filter(kind="returned").exists()

    progress(second, A.RETURNED)
    order = fresh(order)
    # The goods did leave and statuses never move back: the order keeps in transit and its
    # fulfilment tells what happened.
    assert (order.status, order.fulfilment_status) == ("in_transit", "returned")
    [event] = order.events.filter(kind="returned")
    assert event.message["code"] == "all_returned"


def test_a_repeated_carrier_return_changes_nothing(shipping):
    order, shipment = one_shipment(shipping)
    now = timezone.now()
    returned = CarrierEvent(
        tracking_number=shipment.tracking_number,
        event_time=now,
        raw_code="4",
        status="returned",
        description="退签",
    )
    applied = tracking_events_apply(shipment=shipment, events=[returned], source="push")
    assert applied.moved_to == "returned"
    order = fresh(order)
    assert (order.status, order.fulfilment_status) == ("shipped", "returned")
    counts = (
        order.events.count(),
        shipment.events.count(),
        AuditLog.objects.count(),
    )
    updated = order.updated_at

    # The same push again, and a later "returned" event of the same parcel.
    again = tracking_events_apply(shipment=shipment, events=[returned], source="push")
    later = CarrierEvent(
        tracking_number=shipment.tracking_number,
        event_time=now + timedelta(minutes=5),
        raw_code="4",
        status="returned",
    )
    late = tracking_events_apply(shipment=shipment, events=[later], source="poll")
    assert (again.stored, again.moved_to, late.moved_to) == (0, None, None)
    order = fresh(order)
    assert (order.events.count(), shipment.events.count(), AuditLog.objects.count()) == counts
    assert order.updated_at == updated
    assert order.events.filter(kind="returned").count() == 1


def test_booking_the_same_return_twice_changes_nothing_twice(shipping):
    order, shipment = one_shipment(shipping)
    progress(shipment, A.RETURNED)
    returns.shipment_receive_return(actor=None, shipment=shipment)
    order = fresh(order)
    counts = (order.events.count(), shipment.events.count(), AuditLog.objects.count())
    state = (order.status, order.fulfilment_status, order.updated_at)

    returns.shipment_receive_return(actor=None, shipment=shipment, note="again")
    order = fresh(order)
    assert (order.events.count(), shipment.events.count(), AuditLog.objects.count()) == counts
    assert (order.status, order.fulfilment_status, order.updated_at) == state
    assert_books_balance()


def test_the_customers_page_says_the_parcel_came_back(shipping, client):
    order, shipment = one_shipment(shipping)
    progress(shipment, A.IN_TRANSIT)
    url = f"/track/{order_public_token(fresh(order))}/"
    assert "On its way" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    progress(shipment, A.RETURNED)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    assert "Returned to us" in html
    assert "On its way" not in html
