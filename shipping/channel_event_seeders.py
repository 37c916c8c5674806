"""Demo data for outbound webhooks: the web shop channel has a webhook, and its latest demo
orders were told about (confirmed, shipped with tracking, delivered): most sent at once, a
few after retries, one still being retried and two failed for good (the shop's server was
down), so the delivery log shows every state and the resend button has work. Idempotent: a
second run finds the channel's deliveries and adds nothing."""

from datetime import timedelta

from django.db import transaction

from oms.demo import SeedContext, backdate
from orders.choices import ChannelCode, WebhookStatus
from orders.intake.channels import channel_save
from orders.intake.outbound import on_order_confirmed
from orders.models import Channel, Order, WebhookDelivery
from shipping.channel_events import on_delivered, on_dispatched
from shipping.choices import ShipmentStatus
from shipping.models import Shipment

WEBHOOK_URL = "https://shop.example.com/oms/webhooks"


def seed_channel_webhooks(context: SeedContext) -> None:
    channel = Channel.objects.get(code=ChannelCode.WEB_SHOP)
    if WebhookDelivery.objects.filter(channel=channel).exists():
        return
    shipments = list(
        Shipment.objects.filter(
            order__channel_id=channel.code,
            order__external_reference__startswith="DEMO-",
            status__in=(ShipmentStatus.DISPATCHED, ShipmentStatus.DELIVERED),
        )
        .select_related("order", "merged_parcel", "carrier_service__carrier")
        .order_by("-dispatched_at", "-pk")[:12]
    )
    if not shipments:
        return
    with transaction.atomic():
        channel = channel_save(
            actor=context.users["manager"],
            channel=channel,
            data={
                "webhook_url": WEBHOOK_URL,
                "webhook_secret": "demo-webhook-secret-0f9e8d7c",
                "webhook_events": [],
            },
        )
        for shipment in shipments:
            order = Order.objects.get(pk=shipment.order_id)
            on_order_confirmed(order, None)
            on_dispatched(shipment, None)
            if shipment.status == ShipmentStatus.DELIVERED:
                on_delivered(shipment, None)
        _history(context, channel, shipments)


def _history(context: SeedContext, channel: Channel, shipments: list[Shipment]) -> None:
    """Move the rows to the moments of their events and give each the outcome it had."""
    rng = context.rng
    moments = {}
    by_number = {s.order.number: s for s in shipments}
    deliveries = list(WebhookDelivery.objects.filter(channel=channel).order_by("pk"))
    for index, delivery in enumerate(deliveries):
        shipment = by_number[delivery.reference]
        order = shipment.order
        moment = {
            "order.confirmed": order.confirmed_at or order.created_at,
            "order.shipped": shipment.dispatched_at,
            "order.delivered": shipment.delivered_at,
        }[delivery.event] or context.now
        moments[delivery.pk] = moment
        delivery.next_attempt_at = None
        if index in (1, 4):  # the shop's server was down that night: failed for good
            delivery.status = WebhookStatus.FAILED
            delivery.attempts = 6
            delivery.last_status_code = 503
            delivery.last_error = "HTTP 503"
            delivery.last_attempt_at = moment + timedelta(hours=15, minutes=36)
        elif index == 0:  # the newest: still being tried
            delivery.status = WebhookStatus.PENDING
            delivery.attempts = 2
            delivery.last_status_code = None
            delivery.last_error = "timed out"
            delivery.last_attempt_at = context.now - timedelta(minutes=1)
            delivery.next_attempt_at = context.now + timedelta(minutes=29)
            moments[delivery.pk] = context.now - timedelta(minutes=7)
        else:
            retries = 1 if rng.random() < 0.15 else 0
            delivery.status = WebhookStatus.SENT
            delivery.attempts = 1 + retries
            delivery.last_status_code = 200
            delivery.last_error = ""
            delivery.sent_at = moment + timedelta(seconds=2 + 60 * retries)
            delivery.last_attempt_at = delivery.sent_at
    WebhookDelivery.objects.bulk_update(
        deliveries,
        [
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "sent_at",
            "last_attempt_at",
            "next_attempt_at",
        ],
    )
    backdate(WebhookDelivery, "created_at", moments)
