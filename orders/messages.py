"""What orders tells customers (oms.messaging.notify): the events, their default wording in
every language, and the context each one gets. Registered in registrations.py.

Each message is written in the transaction of the change (an outbox row: nothing exists if the
change rolls back; the worker sends it after commit), once per order and event (`key`: a
repeated or retried change sends nothing new), and carries the order page's link, which
shipping makes (oms.registry.customer_link: orders cannot import shipping).

- received: a submitted order that waits for review. An order confirmed at once hears only
  "confirmed" (two messages in the same second say the same thing twice).
- confirmed: every channel but a shop platform's (the platform tells its buyers itself, and
  marketplaces forbid writing to them outside the platform).
- waiting for stock: the order is back-ordered; with the date goods are expected when a
  provider registered in orders.hooks.restock_date_providers knows one.
- made-to-order progress: a work order for one of the order's lines moves to production,
  quality check or done (inventory's work_order_advanced hook).

Which are essential (reach customers who opted out of the others): waiting for stock, since
the customer may want to change or cancel the order; the others are courtesies.
"""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from inventory.choices import WorkOrderStage
from oms.messaging import notify
from oms.models import OutboxMessage
from oms.registry import MessageEvent, MessageText, customer_link
from oms.tables import format_money
from orders import hooks
from orders.intake.channels import told_by_platform
from orders.models import Order, OrderLine

GREETING_EN = "Dear {{ customer_name }},\n\n"
GREETING_ZH = "{{ customer_name }}，您好：\n\n"
FOLLOW_EN = "{% if order_url %}\n\nFollow your order: {{ order_url }}{% endif %}\n\n{{ company }}"
FOLLOW_ZH = "{% if order_url %}\n\n查看订单进度：{{ order_url }}{% endif %}\n\n{{ company }}"

VARIABLES = {
    "order_number": _("Order number"),
    "customer_name": _("Customer name"),
    "total": _("Order total with currency"),
    "requested_delivery_date": _("Requested delivery date (may be empty)"),
    "order_url": _("Link to the customer's order page (may be empty)"),
    "company": _("Your company's name"),
}
SAMPLE = {
    "order_number": "SO-2026-000123",
    "customer_name": "上海明亮灯饰有限公司",
    "total": "¥12,345.60",
    "requested_delivery_date": date(2026, 12, 8),
    "order_url": "https://shop.example.com/track/Hq3v8mJ0cW2nXyZ5aB7dE9fG1hK4lM6p/",
    "company": "明亮灯饰",
}

ORDER_RECEIVED = MessageEvent(
    code="order.received",
    label=_("Order received"),
    essential=False,
    defaults={
        "en": MessageText(
            subject="We have received your order {{ order_number }}",
            body=GREETING_EN
            + "thank you for your order {{ order_number }} ({{ total }}). We have received it "
            "and are checking it now; we will write again as soon as it is confirmed." + FOLLOW_EN,
            sms="{{ company }}: we have received your order {{ order_number }} ({{ total }}) "
            "and will confirm it shortly.{% if order_url %} {{ order_url }}{% endif %}",
        ),
        "zh-hans": MessageText(
            subject="我们已收到您的订单 {{ order_number }}",
            body=GREETING_ZH
            + "感谢您的订购。我们已收到您的订单 {{ order_number }}（金额 {{ total }}），正在审核，"
            "确认后会立即通知您。" + FOLLOW_ZH,
            sms="【{{ company }}】已收到您的订单{{ order_number }}（{{ total }}），审核确认后将通知您。"
            "{% if order_url %}{{ order_url }}{% endif %}",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

ORDER_CONFIRMED = MessageEvent(
    code="order.confirmed",
    label=_("Order confirmed"),
    essential=False,  # a courtesy: the customer learns nothing they must act on
    defaults={
        "en": MessageText(
            subject="Your order {{ order_number }} is confirmed",
            body=(
                GREETING_EN + "thank you for your order {{ order_number }} ({{ total }}). We have "
                "confirmed it and are getting it ready"
                "{% if requested_delivery_date %} for delivery on "
                "{{ requested_delivery_date }}{% endif %}.\n\n"
                "We will let you know when it ships." + FOLLOW_EN
            ),
            sms="{{ company }}: your order {{ order_number }} ({{ total }}) is confirmed. "
            "We will tell you when it ships.",
        ),
        "zh-hans": MessageText(
            subject="您的订单 {{ order_number }} 已确认",
            body=(
                GREETING_ZH + "感谢您的订购。订单 {{ order_number }}（金额 {{ total }}）已确认，"
                "我们正在备货{% if requested_delivery_date %}，按您的要求于 "
                "{{ requested_delivery_date }} 送达{% endif %}。\n\n发货后我们会再通知您。"
                + FOLLOW_ZH
            ),
            sms="【{{ company }}】您的订单{{ order_number }}（{{ total }}）已确认，发货后将再通知您。",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

ORDER_BACKORDERED = MessageEvent(
    code="order.backordered",
    label=_("Order waiting for stock"),
    essential=True,  # a delay: the customer may want to change or cancel the order
    defaults={
        "en": MessageText(
            subject="Your order {{ order_number }} is waiting for stock",
            body=GREETING_EN + "some items of your order {{ order_number }} are not in stock "
            "right now:\n{% for item in items %}\n- {{ item.name }} × {{ item.quantity }}"
            "{% endfor %}\n\n{% if expected_date %}We expect them on {{ expected_date }} and "
            "will send your order as soon as they arrive.{% else %}We are restocking them and "
            "will tell you when your order is on its way.{% endif %} If you would rather "
            "change or cancel your order, please contact us." + FOLLOW_EN,
            sms="{{ company }}: some items of order {{ order_number }} are out of stock"
            '{% if expected_date %}, expected {{ expected_date|date:"M j" }}{% endif %}. '
            "We will tell you when it ships.",
        ),
        "zh-hans": MessageText(
            subject="您的订单 {{ order_number }} 正在等待补货",
            body=GREETING_ZH + "您的订单 {{ order_number }} 中以下商品暂时缺货："
            "{% for item in items %}\n- {{ item.name }} × {{ item.quantity }}{% endfor %}\n\n"
            "{% if expected_date %}预计 {{ expected_date }} 到货，到货后我们会尽快为您发货。"
            "{% else %}我们正在补货，发货时会通知您。{% endif %}"
            "如需修改或取消订单，请与我们联系。" + FOLLOW_ZH,
            sms="【{{ company }}】订单{{ order_number }}部分商品暂时缺货"
            '{% if expected_date %}，预计{{ expected_date|date:"n月j日" }}到货{% endif %}，'
            "发货时将通知您。",
        ),
    },
    variables={
        **VARIABLES,
        "items": _("The items waiting for stock: each with name and quantity"),
        "expected_date": _("When the goods are expected (may be empty)"),
    },
    sample={
        **SAMPLE,
        "items": [{"name": "LED 吸顶灯 24W", "quantity": 3}],
        "expected_date": date(2026, 12, 15),
    },
)

ORDER_PRODUCTION = MessageEvent(
    code="order.production",
    label=_("Made-to-order progress"),
    essential=False,
    defaults={
        "en": MessageText(
            subject="{{ product }} for your order {{ order_number }}: "
            '{% if stage == "production" %}in production{% elif stage == "quality_check" %}'
            "in quality control{% else %}finished{% endif %}",
            body=GREETING_EN + "news about the {{ quantity }} × {{ product }} we are making for "
            "your order {{ order_number }}: "
            '{% if stage == "production" %}the materials are ready and production has started.'
            '{% elif stage == "quality_check" %}production is finished and the goods are in '
            "quality control.{% else %}the goods are finished and have passed quality control. "
            "We are now preparing your order for dispatch.{% endif %}" + FOLLOW_EN,
            sms="{{ company }}: {{ product }} for order {{ order_number }} "
            '{% if stage == "production" %}is in production{% elif stage == "quality_check" %}'
            "is in quality control{% else %}is finished; we will ship soon{% endif %}.",
        ),
        "zh-hans": MessageText(
            subject="订单 {{ order_number }} 的{{ product }}"
            '{% if stage == "production" %}已开始生产{% elif stage == "quality_check" %}'
            "正在质检{% else %}已完工{% endif %}",
            body=GREETING_ZH
            + "您的订单 {{ order_number }} 定制的{{ product }}（{{ quantity }} 件）"
            '{% if stage == "production" %}材料已备齐，已开始生产。'
            '{% elif stage == "quality_check" %}已生产完成，正在进行质检。'
            "{% else %}已完工并通过质检，我们正在为您的订单安排发货。{% endif %}" + FOLLOW_ZH,
            sms="【{{ company }}】订单{{ order_number }}的{{ product }}"
            '{% if stage == "production" %}已开始生产{% elif stage == "quality_check" %}'
            "正在质检{% else %}已完工，即将发货{% endif %}。",
        ),
    },
    variables={
        **VARIABLES,
        "product": _("The made-to-order product"),
        "quantity": _("Quantity being made"),
        "stage": _("The stage reached: production, quality_check or done"),
    },
    sample={**SAMPLE, "product": "定制水晶吊灯", "quantity": 2, "stage": "production"},
)

ORDER_MESSAGES = (ORDER_RECEIVED, ORDER_CONFIRMED, ORDER_BACKORDERED, ORDER_PRODUCTION)


def order_message_context(order: Order) -> dict[str, Any]:
    return {
        "order_number": order.number,
        "customer_name": order.customer.name,
        "total": format_money(order.total),
        "requested_delivery_date": order.requested_delivery_date,
        "order_url": customer_link(order),
    }


def _tell(
    order: Order, event: MessageEvent, context: dict[str, Any], key: str
) -> OutboxMessage | None:
    """The callers leave out a platform's orders first: their context makes the order's link."""
    return notify(order.customer, event.code, context, key=key, about=[order])


def notify_order_received(order: Order) -> OutboxMessage | None:
    """A submitted order waits for review: the customer knows we have it (once per order)."""
    if told_by_platform(order.channel_id):
        return None
    return _tell(order, ORDER_RECEIVED, order_message_context(order), str(order.pk))


def notify_order_confirmed(order: Order) -> OutboxMessage | None:
    """Once per order, in the confirming transaction (a re-confirmation after an amendment
    sends nothing new); not for a shop platform's orders."""
    if told_by_platform(order.channel_id):
        return None
    return _tell(order, ORDER_CONFIRMED, order_message_context(order), str(order.pk))


def expected_restock_date(order: Order, line_ids: list[int]) -> date | None:
    """The latest date a registered provider expects the missing goods (all must arrive for
    the order to ship), or None when any of them is not known."""
    dates = []
    for line_id in line_ids:
        known = [d for provider in hooks.restock_date_providers if (d := provider(line_id))]
        if not known:
            return None
        dates.append(min(known))
    return max(dates) if dates else None


def notify_order_backordered(order: Order, short: dict[int, int]) -> OutboxMessage | None:
    """The order waits for stock (`short`: line id -> units missing): once per order, when
    it first becomes back-ordered."""
    if not short or told_by_platform(order.channel_id):
        return None
    lines = OrderLine.objects.filter(pk__in=short).order_by("line_no")
    context = {
        **order_message_context(order),
        "items": [{"name": line.description, "quantity": short[line.pk]} for line in lines],
        "expected_date": expected_restock_date(order, sorted(short)),
    }
    return _tell(order, ORDER_BACKORDERED, context, str(order.pk))


TOLD_STAGES = frozenset(
    {WorkOrderStage.PRODUCTION, WorkOrderStage.QUALITY_CHECK, WorkOrderStage.DONE}
)


def notify_work_order_stage(work_order: Any) -> OutboxMessage | None:
    """Inventory hook (work_order_advanced): a work order for an order's line reached a new
    stage; the customer hears each stage once. Made for stock, cancelled or back at the first
    stage: nothing to tell."""
    stage = str(work_order.stage)
    if work_order.order_line_id is None or stage not in TOLD_STAGES:
        return None
    line = (
        OrderLine.objects.select_related("order__customer")
        .filter(pk=work_order.order_line_id)
        .first()
    )
    if line is None or told_by_platform(line.order.channel_id):
        return None
    context = {
        **order_message_context(line.order),
        "product": line.description,
        "quantity": work_order.quantity,
        "stage": stage,
    }
    return _tell(line.order, ORDER_PRODUCTION, context, f"{work_order.pk}:{stage}")
