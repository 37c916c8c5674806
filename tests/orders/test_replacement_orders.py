"""Orders after a return: a replacement at no charge (100 % discount, no shipping fee, boosted,
linked to the original, whatever the actor's discount limit), refused for an order that never
reached the customer; refunding opens and settles on the order's status table."""

from decimal import Decimal

import pytest

from oms.errors import ServiceError
from orders import services
from orders.choices import EventKind, OrderStatus
from orders.errors import InvalidTransition
from orders.models import Order, OrderEvent, ShippingRule
from orders.services import LineRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def delivered(catalog, *lines):
    """An order moved to delivered directly (the shipping path is tested elsewhere)."""
    for product, units in lines:
        catalog.stock(product, catalog.shanghai, units + 5)
    order = services.order_submit(actor=None, order=catalog.order(catalog.customer(), *lines))
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.DELIVERED)
    return Order.objects.get(pk=order.pk)


def test_a_replacement_is_free_boosted_linked_and_placed_like_any_order(catalog):
    ShippingRule.objects.create(name="Everywhere", region="", base_fee=Decimal("15.00"))
    lamp = catalog.product("120.00")
    original = delivered(catalog, (lamp, 2))
    sales = UserFactory(username="desk", role="customer_service")  # 5 % discount limit
    replacement = services.order_replacement_place(
        actor=sales, original=original, lines=[LineRequest(lamp, 1)], reference="RMA-2026-000001"
    )
    assert replacement.replaces_id == original.pk
    assert replacement.status == OrderStatus.ALLOCATED
    assert (replacement.total, replacement.shipping_fee, replacement.tax_total) == (0, 0, 0)
    [line] = replacement.lines.all()
    assert line.unit_price == Decimal("120.00")
    assert line.discount_percent == 100
    assert replacement.priority_boost == 50
    assert replacement.priority_score > original.priority_score
    for order in (original, replacement):
        event = OrderEvent.objects.filter(order=order, kind=EventKind.AFTER_SALES).get()
        assert event.message["params"]["reference"] == "RMA-2026-000001"


def test_no_replacement_for_an_order_that_never_reached_the_customer(catalog):
    lamp = catalog.product("120.00")
    draft = catalog.order(catalog.customer(), (lamp, 1))
    with pytest.raises(ServiceError, match="nothing of it reached the customer"):
        services.order_replacement_place(
            actor=None, original=draft, lines=[LineRequest(lamp, 1)], reference="RMA-1"
        )
    assert not Order.objects.filter(replaces=draft).exists()


def test_refunding_opens_once_and_settles_when_no_other_return_waits(catalog):
    lamp = catalog.product("120.00")
    order = delivered(catalog, (lamp, 2))
    services.order_refund_open(actor=None, order_id=order.pk, reference="RMA-1")
    services.order_refund_open(actor=None, order_id=order.pk, reference="RMA-2")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDING
    services.order_refund_settle(actor=None, order_id=order.pk, reference="RMA-1", others_open=True)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDING
    services.order_refund_settle(actor=None, order_id=order.pk, reference="RMA-2")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    draft = catalog.order(catalog.customer(), (lamp, 1))
    with pytest.raises(InvalidTransition):
        services.order_refund_open(actor=None, order_id=draft.pk, reference="RMA-3")
