"""Shipping's part of the channel API: an order's shipments with their carrier, tracking
number and the tracking events, for the channel the order came from (oms.api)."""

from datetime import datetime

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router, Schema

from oms.api import require_scope
from orders.intake.api import PROBLEMS, channel_order
from orders.intake.models import ApiScope
from shipping.models import Shipment, TrackingEvent

router = Router(tags=["shipments"])


class TrackingEventOut(Schema):
    time: datetime
    status: str
    place: str
    description: str


class ShipmentLineOut(Schema):
    sku: str
    quantity: int
    lot: str


class ShipmentOut(Schema):
    number: str
    status: str
    carrier: str
    service: str
    tracking_number: str
    parcels: int
    dispatched_at: datetime | None
    delivered_at: datetime | None
    expected_delivery_date: str | None
    lines: list[ShipmentLineOut]
    tracking: list[TrackingEventOut]


def shipment_out(shipment: Shipment) -> dict:
    return {
        "number": shipment.number,
        "status": shipment.status,
        "carrier": shipment.carrier,
        "service": shipment.service,
        "tracking_number": shipment.tracking_number,
        "parcels": shipment.parcels,
        "dispatched_at": shipment.dispatched_at,
        "delivered_at": shipment.delivered_at,
        "expected_delivery_date": (
            shipment.expected_delivery_date.isoformat() if shipment.expected_delivery_date else None
        ),
        "lines": [
            {"sku": line.product.sku, "quantity": line.quantity, "lot": line.lot}
            for line in shipment.lines.all()
        ],
        "tracking": [
            {
                "time": event.event_time,
                "status": event.status,
                "place": event.place,
                "description": event.description,
            }
            for event in shipment.tracking_events_in_order
        ],
    }


@router.get(
    "/orders/{ref}/shipments",
    response={**PROBLEMS, 200: list[ShipmentOut]},
    summary="An order's shipments and tracking",
)
def order_shipments(request: HttpRequest, ref: str):
    caller = require_scope(request, ApiScope.READ_SHIPMENTS)
    order = channel_order(caller.channel_code, ref)
    shipments = (
        Shipment.objects.filter(order=order)
        .prefetch_related(
            "lines__product",
            Prefetch(
                "tracking_events",
                queryset=TrackingEvent.objects.order_by("event_time", "pk"),
                to_attr="tracking_events_in_order",
            ),
        )
        .order_by("pk")
    )
    return 200, [shipment_out(shipment) for shipment in shipments]
