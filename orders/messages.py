"""What orders tells customers (oms.messaging.notify): the events, their default wording in
every language, and the context each one gets. Registered in registrations.py."""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.messaging import notify
from oms.registry import MessageEvent, MessageText
from oms.tables import format_money
from orders.choices import Channel
from orders.models import Order

ORDER_CONFIRMED = MessageEvent(
    code="order.confirmed",
    label=_("Order confirmed"),
    essential=False,  # a courtesy: the customer learns nothing they must act on
    defaults={
        "en": MessageText(
            subject="Your order {{ order_number }} is confirmed",
            body=(
                "Dear {{ customer_name }},\n\n"
                "thank you for your order {{ order_number }} ({{ total }}). We have confirmed "
                "it and are getting it ready"
                "{% if requested_delivery_date %} for delivery on "
                "{{ requested_delivery_date }}{% endif %}.\n\n"
                "We will let you know when it ships.\n\n{{ company }}"
            ),
            sms="{{ company }}: your order {{ order_number }} ({{ total }}) is confirmed. "
            "We will tell you when it ships.",
        ),
        "zh-hans": MessageText(
            subject="您的订单 {{ order_number }} 已确认",
            body=(
                "{{ customer_name }}，您好：\n\n"
                "感谢您的订购。订单 {{ order_number }}（金额 {{ total }}）已确认，我们正在备货"
                "{% if requested_delivery_date %}，按您的要求于 {{ requested_delivery_date }} "
                "送达{% endif %}。\n\n发货后我们会再通知您。\n\n{{ company }}"
            ),
            sms="【{{ company }}】您的订单{{ order_number }}（{{ total }}）已确认，发货后将再通知您。",
        ),
    },
    variables={
        "order_number": _("Order number"),
        "customer_name": _("Customer name"),
        "total": _("Order total with currency"),
        "requested_delivery_date": _("Requested delivery date (may be empty)"),
        "company": _("Your company's name"),
    },
    sample={
        "order_number": "SO-2026-000123",
        "customer_name": "上海明亮灯饰有限公司",
        "total": "¥12,345.60",
        "requested_delivery_date": date(2026, 12, 8),
        "company": "Demo Lighting & Home Co.",
    },
)


def order_message_context(order: Order) -> dict[str, Any]:
    return {
        "order_number": order.number,
        "customer_name": order.customer.name,
        "total": format_money(order.total),
        "requested_delivery_date": order.requested_delivery_date,
    }


# A web shop or marketplace confirms the order to its buyer itself (marketplaces forbid
# contacting their buyers outside the platform); the OMS speaks for the orders it took.
PLATFORM_CHANNELS = frozenset({Channel.WEB_SHOP, Channel.MARKETPLACE})


def notify_order_confirmed(order: Order) -> None:
    """Once per order, in the confirming transaction (a re-confirmation after an amendment
    sends nothing new); not for a shop platform's orders."""
    if order.channel in PLATFORM_CHANNELS:
        return
    notify(order.customer, ORDER_CONFIRMED.code, order_message_context(order), key=str(order.pk))
