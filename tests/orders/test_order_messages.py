"""Orders tells the customer when an order is confirmed (oms.messaging.notify)."""

from decimal import Decimal

import pytest

from oms.choices import OutboxStatus
from oms.models import OutboxMessage
from orders import services
from orders.choices import ApprovalCondition
from orders.messages import notify_order_confirmed
from orders.models import ApprovalRule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_confirming_an_order_tells_the_customer_once(catalog):
    sales = UserFactory(username="sales-m", role="sales")
    product = catalog.product("50.00")
    catalog.stock(product, catalog.shanghai, 5)
    customer = catalog.customer(email="li@example.com", language="en", preferred_channel="email")
    order = catalog.order(customer, (product, 2))
    assert not OutboxMessage.objects.exists()  # a draft tells nobody

    services.order_submit(actor=sales, order=order)
    order.refresh_from_db()
    message = OutboxMessage.objects.get()
    assert message.event_code == "order.confirmed"
    assert message.status == OutboxStatus.PENDING
    assert message.recipients == ["li@example.com"]
    assert message.subject == f"Your order {order.number} is confirmed"
    assert "¥100.00" in message.body

    # Confirmed again (after an amendment's review): still the one message.
    notify_order_confirmed(order)
    assert OutboxMessage.objects.count() == 1


def test_an_order_waiting_for_review_is_not_confirmed_yet(catalog):
    ApprovalRule.objects.create(
        name="big",
        condition=ApprovalCondition.AMOUNT_AT_LEAST,
        required_role="reviewer",
        level=1,
        threshold=Decimal("1"),
    )
    product = catalog.product()
    order = catalog.order(catalog.customer(email="x@example.com"), (product, 1))
    services.order_submit(actor=UserFactory(username="s2", role="sales"), order=order)
    assert not OutboxMessage.objects.exists()
