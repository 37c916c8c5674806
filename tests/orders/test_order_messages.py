"""Orders tells the customer when an order is received (waiting for review), confirmed, waiting
for stock and, for made-to-order goods, at each production stage: once per event, only once
the change commits, in the customer's language and channel, respecting opt-out, with the
order page's link (made by shipping, registered with the kernel)."""

from datetime import date
from decimal import Decimal

import pytest

from inventory.models import WorkOrder
from inventory.work_orders import work_order_advance
from oms.choices import OutboxStatus
from oms.models import OutboxMessage
from orders import hooks, services
from orders.choices import ApprovalCondition, ChannelCode, OrderStatus
from orders.messages import (
    notify_order_backordered,
    notify_order_confirmed,
    notify_order_received,
    notify_work_order_stage,
)
from orders.models import ApprovalRule, Order
from tests.factories import UserFactory
from tests.helpers import rolled_back

pytestmark = pytest.mark.django_db


def told(**filters):
    return list(OutboxMessage.objects.filter(**filters).order_by("pk"))


def review_everything():
    ApprovalRule.objects.create(
        name="big",
        condition=ApprovalCondition.AMOUNT_AT_LEAST,
        required_role="reviewer",
        level=1,
        threshold=Decimal("1"),
    )


def test_confirming_an_order_tells_the_customer_once_with_the_order_page(catalog):
    sales = UserFactory(username="sales-m", role="sales")
    product = catalog.product("50.00")
    catalog.stock(product, catalog.shanghai, 5)
    customer = catalog.customer(email="li@example.com", language="en", preferred_channel="email")
    order = catalog.order(customer, (product, 2))
    assert not OutboxMessage.objects.exists()  # a draft tells nobody

    services.order_submit(actor=sales, order=order)
    order.refresh_from_db()
    # Confirmed at once: the confirmation alone, no "received" a second before it.
    [message] = told()
    assert message.event_code == "order.confirmed"
    assert message.status == OutboxStatus.PENDING
    assert message.recipients == ["li@example.com"]
    assert message.subject == f"Your order {order.number} is confirmed"
    assert "¥100.00" in message.body
    assert order.public_token
    assert f"/track/{order.public_token}/" in message.body
    assert message.about_refs == [f"orders.order:{order.pk}"]

    # Confirmed again (after an amendment's review): still the one message.
    assert notify_order_confirmed(order) is None
    assert OutboxMessage.objects.count() == 1


def test_an_order_waiting_for_review_is_received_then_confirmed(catalog):
    review_everything()
    product = catalog.product("30.00")
    catalog.stock(product, catalog.shanghai, 5)
    customer = catalog.customer(email="x@example.com", language="en", preferred_channel="email")
    order = catalog.order(customer, (product, 1))
    services.order_submit(actor=UserFactory(username="s2", role="sales"), order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_REVIEW
    [received] = told()
    assert received.event_code == "order.received"
    assert received.subject == f"We have received your order {order.number}"
    assert "checking it now" in received.body
    assert f"/track/{order.public_token}/" in received.body
    # A second submit is refused and a retried notification writes nothing.
    with pytest.raises(Exception, match="draft"):
        services.order_submit(actor=None, order=order)
    assert notify_order_received(order) is None

    services.order_approve(actor=UserFactory(username="rev", role="reviewer"), order=order)
    assert [m.event_code for m in told()] == ["order.received", "order.confirmed"]


def test_placing_an_order_tells_in_the_same_transaction_with_the_link(catalog):
    """order_place holds its writes until the end: the token goes in with the new order."""
    review_everything()
    product = catalog.product("30.00")
    customer = catalog.customer(phone="13900000001", language="zh-hans", preferred_channel="sms")
    order = services.order_place(
        actor=None,
        customer=customer,
        lines=[services.LineRequest(product, 1)],
        channel=ChannelCode.API,
        external_reference="API-1",
    )
    order = Order.objects.get(pk=order.pk)
    [received] = told()
    assert received.status == OutboxStatus.PENDING  # fits the SMS parts allowed, link included
    assert received.channel == "sms"
    assert received.recipients == ["13900000001"]
    assert received.body.startswith("【")
    assert f"已收到您的订单{order.number}" in received.body
    assert f"/track/{order.public_token}/" in received.body
    # The channel delivers the same order again (a retry): the same order, no second message.
    again = services.order_place(
        actor=None,
        customer=customer,
        lines=[services.LineRequest(product, 1)],
        channel=ChannelCode.API,
        external_reference="API-1",
    )
    assert again.pk == order.pk
    assert len(told()) == 1


def test_nothing_is_told_when_the_change_rolls_back(catalog):
    product = catalog.product("30.00")
    catalog.stock(product, catalog.shanghai, 5)
    order = catalog.order(
        catalog.customer(email="r@example.com", preferred_channel="email"), (product, 1)
    )
    seen = rolled_back(lambda: (services.order_submit(actor=None, order=order), told())[1])
    assert seen  # written in the transaction...
    assert not OutboxMessage.objects.exists()  # ...and gone with it


def test_chinese_wording_of_received_and_confirmed(catalog):
    review_everything()
    product = catalog.product("30.00")
    catalog.stock(product, catalog.shanghai, 5)
    customer = catalog.customer(
        email="wang@example.com", language="zh-hans", name="王先生", preferred_channel="email"
    )
    order = catalog.order(customer, (product, 1))
    services.order_submit(actor=None, order=order)
    services.order_approve(actor=UserFactory(username="rev2", role="reviewer"), order=order)
    received, confirmed = told()
    assert received.subject == f"我们已收到您的订单 {order.number}"
    assert received.body.startswith("王先生，您好：")
    assert "正在审核" in received.body
    assert confirmed.subject == f"您的订单 {order.number} 已确认"
    assert "查看订单进度：" in confirmed.body


def test_a_shop_platforms_orders_are_told_by_the_platform(catalog):
    product = catalog.product("30.00")
    catalog.stock(product, catalog.shanghai, 5)
    customer = catalog.customer(email="buyer@example.com", preferred_channel="email")
    for n, channel in enumerate((ChannelCode.MARKETPLACE, ChannelCode.WEB_SHOP)):
        services.order_place(
            actor=None,
            customer=customer,
            lines=[services.LineRequest(product, 1)],
            channel=channel,
            external_reference=f"P-{n}",
        )
    assert not OutboxMessage.objects.exists()
    assert not Order.objects.exclude(public_token=None).exists()  # no link made for nothing


def test_a_backorder_names_the_missing_goods_and_is_essential(catalog):
    product = catalog.product("20.00", name="吸顶灯 A")
    catalog.stock(product, catalog.shanghai, 1)
    customer = catalog.customer(
        email="o@example.com", language="en", opt_out_non_essential=True, preferred_channel="email"
    )
    order = catalog.order(customer, (product, 3))
    services.order_submit(actor=None, order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.BACKORDERED
    confirmed, backordered = told()
    # Opted out: the courtesy is not sent (the reason is kept), the delay is.
    assert confirmed.status == OutboxStatus.SKIPPED
    assert "opted out" in confirmed.last_error
    assert backordered.event_code == "order.backordered"
    assert backordered.status == OutboxStatus.PENDING
    assert backordered.subject == f"Your order {order.number} is waiting for stock"
    line = order.lines.get()
    assert f"- {line.description} × 2" in backordered.body
    assert "will tell you when your order is on its way" in backordered.body
    # Back-ordered again later (an amendment): still the one message.
    assert notify_order_backordered(order, {order.lines.get().pk: 2}) is None


def test_a_backorder_names_the_expected_date_when_a_provider_knows_it(catalog):
    product = catalog.product("20.00")
    customer = catalog.customer(
        email="d@example.com", language="zh-hans", preferred_channel="email"
    )
    order = catalog.order(customer, (product, 2))
    hooks.restock_date_providers.append(lambda line_id: date(2026, 12, 20))
    try:
        services.order_submit(actor=None, order=order)
    finally:
        hooks.restock_date_providers.pop()
    message = OutboxMessage.objects.get(event_code="order.backordered")
    assert message.subject == f"您的订单 {order.number} 正在等待补货"
    assert "预计 2026年12月20日 到货" in message.body


def test_each_production_stage_is_told_once_after_commit(catalog):
    product = catalog.product("500.00", made_to_order=True, name="定制吊灯")
    customer = catalog.customer(email="m@example.com", language="en", preferred_channel="email")
    order = catalog.order(customer, (product, 1))
    services.order_submit(actor=None, order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PRODUCTION
    work_order = WorkOrder.objects.get(order_line_id=order.lines.get().pk)
    # A rolled-back advance tells nobody.
    rolled_back(lambda: work_order_advance(actor=None, work_order=work_order))
    assert not told(event_code="order.production")

    for _ in range(3):
        work_order = work_order_advance(actor=None, work_order=work_order)
    subjects = [m.subject for m in told(event_code="order.production")]
    name = order.lines.get().description
    assert subjects == [
        f"{name} for your order {order.number}: in production",
        f"{name} for your order {order.number}: in quality control",
        f"{name} for your order {order.number}: finished",
    ]
    done = told(event_code="order.production")[-1]
    assert "passed quality control" in done.body
    assert done.about_refs == [f"orders.order:{order.pk}"]
    # The hook run again for a stage already told (a retried task): nothing new.
    assert notify_work_order_stage(work_order) is None
    assert len(told(event_code="order.production")) == 3


def test_html_in_a_customer_name_is_escaped_in_the_e_mail(catalog):
    product = catalog.product("30.00")
    catalog.stock(product, catalog.shanghai, 5)
    customer = catalog.customer(
        email="h@example.com",
        language="en",
        name='<script>alert("x")</script> & Co',
        preferred_channel="email",
    )
    services.order_submit(actor=None, order=catalog.order(customer, (product, 1)))
    [message] = told()
    assert "<script>" not in message.html_body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in message.html_body
    assert message.body.startswith('Dear <script>alert("x")</script> & Co,')  # plain text
