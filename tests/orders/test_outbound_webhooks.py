"""Outbound webhooks, for real: a channel's receiver runs on 127.0.0.1, our events reach it
signed (HMAC-SHA256 of the raw body), failures are tried again with backoff until they fail
for good, a timeout counts as a failure, staff resend, and a platform gets its ship
confirmation in its own words."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from oms.models import AuditLog
from orders import services as order_services
from orders.choices import ChannelKind, WebhookStatus, WebhookTarget
from orders.intake import outbound
from orders.intake.channels import channel_save
from orders.intake.place import SentLine, SentOrder, intake_order
from orders.models import Order, WebhookDelivery
from shipping import services as shipping_services
from shipping.models import Shipment
from tests.billing.conftest import Billing
from tests.factories import UserFactory
from tests.orders.webhook_server import WebhookReceiver

SECRET = "whsec-test-0123456789"


@pytest.fixture
def billing(db):
    return Billing()


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def shop(db, receiver):
    return channel_save(
        actor=None,
        channel=None,
        data={
            "code": "shopify-eu",
            "name": "Shopify EU",
            "kind": ChannelKind.SHOPIFY,
            "endpoint": receiver.url + "/admin/api/2024-10",
            "secret": "platform-secret",
            "webhook_url": receiver.url + "/hooks/oms",
            "webhook_secret": SECRET,
            "webhook_events": [],
        },
    )


@pytest.fixture
def stocked(billing):
    customer = billing.business(payment_terms="net_30")
    product = billing.product(price="50.00")
    billing.stock(product, billing.shanghai, 20)
    return customer, product


def arrive(shop, customer, product, external_id="4711"):
    sent = SentOrder(
        external_id=external_id,
        customer_code=customer.code,
        lines=(SentLine(product.sku, 2, unit_price=Decimal("50.00"), tax_rate=Decimal(13)),),
        prices_include_tax=True,
        shipping_fee=Decimal("0.00"),
    )
    return intake_order(channel=shop, sent=sent).order


def dispatched(billing, order, tracking="SF1234567890"):
    order = Order.objects.get(pk=order.pk)
    [shipment] = billing.picked(order)
    shipping_services.shipment_pack(actor=None, shipment=shipment)
    return shipping_services.shipment_dispatch(
        actor=None, shipment=shipment, details=billing.details(tracking=tracking)
    )


def due_now(delivery):
    """Advance time for one delivery: its next attempt is now."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_confirmed_and_shipped_reach_the_channel_signed(billing, shop, stocked, receiver):
    customer, product = stocked
    order = arrive(shop, customer, product)
    confirmed = WebhookDelivery.objects.get(event="order.confirmed")
    assert confirmed.event_key == f"order.confirmed:{order.number}"
    assert outbound.deliver_due(confirmed.pk) == WebhookStatus.SENT
    shipment = dispatched(billing, order)
    hook = WebhookDelivery.objects.get(event="order.shipped", target=WebhookTarget.WEBHOOK)
    assert outbound.deliver_due(hook.pk) == WebhookStatus.SENT

    first, second = receiver.received
    assert first.path == second.path == "/hooks/oms"
    for request in (first, second):
        assert request.signed_with(SECRET)
        assert not request.signed_with("another secret")
    assert first.headers["X-OMS-Event"] == "order.confirmed"
    assert first.headers["X-OMS-Delivery"] == str(confirmed.uid)
    body = json.loads(first.body)
    assert body["event"] == "order.confirmed"
    assert body["data"]["order"]["number"] == order.number
    assert body["data"]["order"]["external_id"] == "4711"
    shipped = json.loads(second.body)["data"]
    assert shipped["shipment"]["number"] == shipment.number
    assert shipped["shipment"]["tracking_numbers"] == ["SF1234567890"]
    assert shipped["shipment"]["carrier"] == "SF Express"
    assert shipped["shipment"]["lines"] == [{"line_no": 1, "sku": product.sku, "quantity": 2}]
    hook.refresh_from_db()
    assert (hook.status, hook.attempts, hook.last_status_code) == ("sent", 1, 200)
    assert hook.sent_at is not None


def test_the_platform_gets_its_ship_confirmation(billing, shop, stocked, receiver):
    customer, product = stocked
    order = arrive(shop, customer, product, external_id="450789469")
    dispatched(billing, order, tracking="SF5550001111")
    confirmation = WebhookDelivery.objects.get(target=WebhookTarget.CONFIRMATION)
    assert outbound.deliver_due(confirmation.pk) == WebhookStatus.SENT
    [request] = receiver.received
    assert request.path == "/admin/api/2024-10/orders/450789469/fulfillments.json"
    assert request.signed_with("platform-secret")
    fulfillment = json.loads(request.body)["fulfillment"]
    assert fulfillment["tracking_number"] == "SF5550001111"
    assert fulfillment["tracking_company"] == "SF Express"


def test_one_event_is_queued_once_and_in_the_changes_transaction(billing, shop, stocked):
    customer, product = stocked
    order = arrive(shop, customer, product)
    order = Order.objects.get(pk=order.pk)
    assert (
        outbound.webhook_queue(
            order=order, event="order.confirmed", key=f"order.confirmed:{order.number}", payload={}
        )
        == []
    )
    assert WebhookDelivery.objects.filter(event="order.confirmed").count() == 1

    def failing_change():
        with transaction.atomic():
            outbound.webhook_queue(order=order, event="order.cancelled", key="x", payload={})
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert not WebhookDelivery.objects.filter(event="order.cancelled").exists()


def test_a_channel_gets_only_the_events_it_asked_for(billing, shop, stocked, receiver):
    channel_save(actor=None, channel=shop, data={"webhook_events": ["order.cancelled"]})
    customer, product = stocked
    order = arrive(shop, customer, product)
    assert not WebhookDelivery.objects.exists()
    order_services.order_cancel(actor=None, order=Order.objects.get(pk=order.pk), reason="buyer")
    [cancelled] = WebhookDelivery.objects.all()
    assert cancelled.event == "order.cancelled"
    assert outbound.deliver_due(cancelled.pk) == "sent"
    assert json.loads(receiver.received[0].body)["data"]["reason"] == "buyer"


def test_failures_are_tried_again_with_backoff_then_fail_then_resend(
    billing, shop, stocked, receiver
):
    customer, product = stocked
    arrive(shop, customer, product)
    delivery = WebhookDelivery.objects.get()
    receiver.answers = [500] * outbound.MAX_ATTEMPTS
    waits = []
    for attempt in range(1, outbound.MAX_ATTEMPTS + 1):
        before = timezone.now()
        assert outbound.deliver_due(delivery.pk) in ("pending", "failed")
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.last_status_code == 500
        assert delivery.last_error == "HTTP 500"
        if delivery.status == WebhookStatus.PENDING:
            waits.append(round((delivery.next_attempt_at - before).total_seconds() / 60))
            # Not due yet: a second task (or the beat job) sends nothing.
            assert outbound.deliver_due(delivery.pk) == "skipped"
            due_now(delivery)
    assert waits == [1, 5, 30, 120, 720]
    assert delivery.status == WebhookStatus.FAILED
    assert delivery.next_attempt_at is None
    assert len(receiver.received) == outbound.MAX_ATTEMPTS
    # Every attempt was the same delivery, for the receiver's deduplication.
    assert {r.headers["X-OMS-Delivery"] for r in receiver.received} == {str(delivery.uid)}

    manager = UserFactory(username="mgr-resend", role="manager")
    outbound.webhook_resend(actor=manager, delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    audit = AuditLog.objects.get(action="webhook.resend")
    assert audit.actor == manager
    assert audit.changes["status"] == "failed"
    assert audit.changes["attempts"] == outbound.MAX_ATTEMPTS
    assert outbound.webhooks_catch_up() == 1  # the beat job sends what is due
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("sent", 1, 200)


@override_settings(OMS_WEBHOOK_TIMEOUT=0.3)
def test_a_receiver_that_does_not_answer_in_time_is_a_failure(billing, shop, stocked, receiver):
    customer, product = stocked
    arrive(shop, customer, product)
    delivery = WebhookDelivery.objects.get()
    receiver.delay = 1.5
    started = timezone.now()
    assert outbound.deliver_due(delivery.pk) == "pending"
    assert (timezone.now() - started).total_seconds() < 1.4
    delivery.refresh_from_db()
    assert "timed out" in delivery.last_error
    assert delivery.last_status_code is None
    assert delivery.attempts == 1


def test_a_removed_webhook_url_fails_the_attempt_without_sending(billing, shop, stocked, receiver):
    customer, product = stocked
    arrive(shop, customer, product)
    delivery = WebhookDelivery.objects.get()
    from orders.models import Channel

    Channel.objects.filter(pk=shop.pk).update(webhook_url="")
    assert outbound.deliver_due(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.last_error == "no URL to send to"
    assert receiver.received == []


def test_delivered_is_told_per_shipment(billing, shop, stocked, receiver):
    from shipping.permissions import ShipmentAction

    customer, product = stocked
    order = arrive(shop, customer, product)
    shipment = dispatched(billing, order)
    shipping_services.shipment_record_progress(
        actor=None, shipment=Shipment.objects.get(pk=shipment.pk), action=ShipmentAction.DELIVERED
    )
    delivered = WebhookDelivery.objects.get(event="order.delivered")
    assert delivered.event_key == f"order.delivered:{shipment.number}"
    assert outbound.deliver_due(delivered.pk) == "sent"
    data = json.loads(receiver.received[-1].body)["data"]
    assert data["shipment"]["delivered_at"]


def test_a_redirect_is_not_followed_and_fails_the_attempt(billing, shop, stocked, receiver):
    customer, product = stocked
    arrive(shop, customer, product)
    delivery = WebhookDelivery.objects.get()
    receiver.answers = [302]
    assert outbound.deliver_due(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert (delivery.last_status_code, delivery.last_error) == (302, "HTTP 302")
    assert [r.path for r in receiver.received] == ["/hooks/oms"]  # never /elsewhere
