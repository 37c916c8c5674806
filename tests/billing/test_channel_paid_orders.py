"""A channel's order that arrives paid (the buyer paid on the platform) is recorded as paid
by billing, its invoice gets the payment when it is issued, and it may leave; one that
arrives unpaid is still stopped at the prepaid dispatch guard."""

import json
from decimal import Decimal

import pytest
from django.test import override_settings

from billing import services
from billing.channel_payments import channel_payment_key
from billing.choices import PaymentMethod, PaymentSource
from billing.models import Payment
from oms.models import OutboxMessage
from orders import services as order_services
from orders.choices import ChannelKind
from orders.intake.channels import channel_save
from orders.intake.place import SentLine, SentOrder, intake_order
from orders.models import Order, WebhookDelivery
from shipping import services as shipping_services
from shipping.models import Shipment
from shipping.permissions import ShipmentError
from tests.factories import UserFactory
from tests.orders.webhook_server import WebhookReceiver


@pytest.fixture
def shop(db):
    return channel_save(
        actor=None,
        channel=None,
        data={"code": "shopify-cn", "name": "Shopify CN", "kind": ChannelKind.SHOPIFY},
    )


@pytest.fixture
def setup(billing, shop):
    customer = billing.business(payment_terms="prepaid")
    product = billing.product(price="50.00")
    billing.stock(product, billing.shanghai, 10)
    return customer, product


def arrive(shop, customer, product, external_id, paid=None):
    sent = SentOrder(
        external_id=external_id,
        customer_code=customer.code,
        lines=(SentLine(product.sku, 2, unit_price=Decimal("50.00"), tax_rate=Decimal(13)),),
        prices_include_tax=True,
        shipping_fee=Decimal("0.00"),
        paid_amount=paid,
        payment_reference=f"pay-{external_id}",
    )
    return intake_order(channel=shop, sent=sent).order


def ship(billing, order):
    order = Order.objects.get(pk=order.pk)
    [shipment] = billing.picked(order)
    return billing.dispatch(shipment, tracking=f"SF{order.pk:010d}")


def test_a_paid_channel_order_is_invoiced_settled_and_dispatched(billing, setup, shop, run_hooks):
    customer, product = setup
    messages_before = OutboxMessage.objects.count()
    with run_hooks():  # the invoice is written by the billing task, after the commit
        order = arrive(shop, customer, product, "1001", paid=Decimal("100.00"))
    order.refresh_from_db()
    assert order.total == Decimal("100.00")
    assert order.confirmed_at is not None
    payment = Payment.objects.get(idempotency_key="channel:shopify-cn:1001")
    assert payment.source == PaymentSource.CHANNEL
    assert payment.method == PaymentMethod.PLATFORM
    assert payment.reference == "pay-1001"
    assert payment.unapplied == 0
    [invoice] = billing.invoices(order)
    assert invoice.amount_paid == invoice.total == Decimal("100.00")
    assert order.payment_status == "paid"
    # The platform tells its buyer about the payment: we send nothing.
    assert not OutboxMessage.objects.filter(event_code="payment.received").exists()
    assert OutboxMessage.objects.count() == messages_before
    shipment = ship(billing, order)
    assert shipment.status == "dispatched"


def test_the_same_order_sent_again_records_no_second_payment(billing, setup, shop, run_hooks):
    customer, product = setup
    with run_hooks():
        first = arrive(shop, customer, product, "1002", paid=Decimal("100.00"))
        again = arrive(shop, customer, product, "1002", paid=Decimal("100.00"))
    assert first.pk == again.pk
    assert Payment.objects.filter(source=PaymentSource.CHANNEL).count() == 1


def test_an_unpaid_channel_order_is_refused_at_the_guard(billing, setup, shop, run_hooks):
    customer, product = setup
    with run_hooks():
        order = arrive(shop, customer, product, "1003")
    assert not Payment.objects.exists()
    [invoice] = billing.invoices(order)
    assert invoice.amount_paid == 0
    with pytest.raises(ShipmentError, match=f"{order.number} is prepaid and .* is still unpaid"):
        ship(billing, order)
    assert not Shipment.objects.filter(order=order, status="dispatched").exists()


def test_paid_before_the_invoice_was_issued_for_fapiao_details(billing, setup, shop, run_hooks):
    """The customer's fapiao details were missing: the invoice was held; once finance issues
    it, the platform's payment settles it at once."""
    customer, product = setup
    customer.taxpayer_id = ""
    customer.save(update_fields=["taxpayer_id"])
    with run_hooks():
        order = arrive(shop, customer, product, "1004", paid=Decimal("100.00"))
    [held] = billing.invoices(order)
    assert held.status == "held"
    assert Payment.objects.get(idempotency_key=channel_payment_key(order)).unapplied == Decimal(
        "100.00"
    )
    with pytest.raises(ShipmentError):
        ship(billing, order)
    customer.taxpayer_id = billing.business(seed=7).taxpayer_id
    customer.save(update_fields=["taxpayer_id"])
    issued = services.invoice_issue(actor=UserFactory(role="finance"), invoice=held)
    assert issued.amount_paid == Decimal("100.00")
    assert Payment.objects.get(idempotency_key=channel_payment_key(order)).unapplied == 0
    shipment = Shipment.objects.get(order=order)
    dispatched = shipping_services.shipment_dispatch(
        actor=None, shipment=shipment, details=billing.details(tracking="SF7777777777")
    )
    assert dispatched.status == "dispatched"


def test_a_long_external_id_gets_a_key_that_fits(billing, setup, shop, run_hooks):
    customer, product = setup
    with run_hooks():
        order = arrive(shop, customer, product, "X" * 64, paid=Decimal("100.00"))
    key = channel_payment_key(order)
    assert len(key) <= 64
    assert Payment.objects.get(idempotency_key=key).unapplied == 0


def test_a_refund_of_a_paid_channel_order_is_told_to_the_channel(billing, setup, shop, run_hooks):
    customer, product = setup
    with WebhookReceiver() as receiver:
        channel_save(
            actor=None,
            channel=shop,
            data={
                "webhook_url": receiver.url + "/hook",
                "webhook_secret": "k",
                "webhook_events": ["order.refunded"],
            },
        )
        with run_hooks():
            order = arrive(shop, customer, product, "1005", paid=Decimal("100.00"))
        with override_settings(OMS_REFUND_ON_CANCELLATION=True), run_hooks():
            order_services.order_cancel(
                actor=None, order=Order.objects.get(pk=order.pk), reason="buyer"
            )
        refunded = WebhookDelivery.objects.get(event="order.refunded")
        assert refunded.status == "sent"  # sent by the task after the commit
        [request] = receiver.received
        assert request.signed_with("k")
        data = json.loads(request.body)["data"]
        assert data["refund"]["amount"] == "100.00"
        assert data["refund"]["method"] == "platform"
        assert data["order"]["number"] == order.number
