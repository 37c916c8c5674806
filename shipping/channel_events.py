"""What a channel hears about its orders' shipments: shipped (with carrier and tracking
numbers) and delivered, queued through orders' outbound webhooks (orders.intake.outbound) in
the dispatch's or the delivery's transaction. The payload is prepared here: orders imports no
app above it. A platform channel also gets its ship confirmation from the shipped payload
(orders.intake.confirmations)."""

from typing import Any

from oms.types import User
from orders.choices import WebhookEvent
from orders.intake.outbound import listening_channel, order_ref, webhook_queue
from shipping.models import Shipment


def tracking_numbers(shipment: Shipment) -> list[str]:
    """The shipment's waybills: its own, or its merged parcel's."""
    parcel = shipment.merged_parcel
    number = (parcel.tracking_number if parcel is not None else "") or shipment.tracking_number
    return [number] if number else []


def shipment_payload(shipment: Shipment) -> dict[str, Any]:
    carrier_service = shipment.carrier_service
    carrier_code = carrier_service.carrier.code if carrier_service is not None else ""
    tracking_company = carrier_service.carrier.tracking_company if carrier_service else ""
    return {
        "order": order_ref(shipment.order),
        "shipment": {
            "number": shipment.number,
            "carrier": shipment.carrier,
            "carrier_code": carrier_code,
            "tracking_company": tracking_company,
            "tracking_numbers": tracking_numbers(shipment),
            "service": shipment.service,
            "parcels": shipment.parcels,
            "dispatched_at": shipment.dispatched_at,
            "delivered_at": shipment.delivered_at,
            "expected_delivery_date": shipment.expected_delivery_date,
            "lines": [
                {
                    "line_no": line.order_line.line_no,
                    "sku": line.product.sku,
                    "quantity": line.quantity,
                }
                for line in shipment.lines.select_related("order_line", "product").order_by("id")
            ],
        },
    }


def _queue(shipment: Shipment, event: str) -> None:
    order = shipment.order
    channel = listening_channel(order, event)
    if channel is None:  # nothing to send: no payload built
        return
    webhook_queue(
        order=order,
        event=event,
        key=f"{event}:{shipment.number}",
        payload=shipment_payload(shipment),
        channel=channel,
    )


def on_dispatched(shipment: Shipment, actor: User | None) -> None:
    _queue(shipment, WebhookEvent.SHIPPED)


def on_delivered(shipment: Shipment, actor: User | None) -> None:
    _queue(shipment, WebhookEvent.DELIVERED)


def connect() -> None:
    from shipping import hooks

    hooks.shipment_dispatched.append(on_dispatched)
    hooks.shipment_delivered.append(on_delivered)
