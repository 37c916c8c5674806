"""Demo: what customers were told about the latest demo parcels (shipping.messages), in the
outbox as sent at the moments the parcels moved, and a customer's order page to open."""

from datetime import datetime

from django.db import transaction

from oms.demo import SeedContext, messages_as_told
from oms.messaging import messages_allowed, notify
from orders.choices import PLATFORM_KINDS
from shipping.choices import DISPATCHED_STATUSES, ShipmentEventKind, ShipmentStatus
from shipping.messages import SHIPMENT_MESSAGES, shipment_message_context
from shipping.models import Shipment
from shipping.order_page import order_page_url

# The latest dispatched parcels whose news the outbox shows.
TOLD_SHIPMENTS = 12


def seed_shipment_messages(context: SeedContext) -> None:
    """Idempotent: a message already written for a parcel's event is not written again."""
    shipments = list(
        Shipment.objects.filter(
            order__external_reference__startswith="DEMO-", status__in=DISPATCHED_STATUSES
        )
        .exclude(order__channel__kind__in=PLATFORM_KINDS)
        .select_related("order__customer")
        .prefetch_related("events")
        .order_by("-dispatched_at", "-pk")[:TOLD_SHIPMENTS]
    )
    written: dict[int, datetime] = {}
    with transaction.atomic(), messages_allowed():
        for shipment in shipments:
            for event in shipment.events.all():
                message = SHIPMENT_MESSAGES.get(event.to_status)
                if event.kind != ShipmentEventKind.STATUS or message is None:
                    continue
                row = notify(
                    shipment.order.customer,
                    message.code,
                    shipment_message_context(shipment),
                    key=str(shipment.pk),
                    about=[shipment.order],
                )
                if row is not None:  # None: told before
                    written[row.pk] = event.created_at
        # Delivered back then: the worker has nothing left to send.
        messages_as_told(written)
    if written:
        context.say(f"{len(written)} messages about the latest parcels in the outbox")
    showcase = next(
        (s for s in shipments if s.status == ShipmentStatus.OUT_FOR_DELIVERY), None
    ) or (shipments[0] if shipments else None)
    if showcase is not None:
        context.say(
            f"A customer's order page ({showcase.order.number}): {order_page_url(showcase.order)}"
        )
