"""What shipping tells customers (oms.messaging.notify): the parcel left, is out for delivery,
was delivered, or ran into a problem. Registered in registrations.py; sent by
`shipment_transition` in the transaction of the change, once per shipment and event (a
replayed or repeated change sends nothing new), delivered by the outbox worker after commit.

Which are essential (reach customers who opted out of the others), as a retailer decides it:
- dispatched: yes. It carries the tracking number and the order page, which the customer needs
  to receive the goods (and to have cash ready for cash on delivery).
- exception: yes. Something went wrong with their delivery; they may have to act.
- out for delivery, delivered: no. Courtesies; the order page shows both.

The zh SMS texts fit one SMS (70 characters) with a Chinese company name, a carrier and a
15-character tracking number. The dispatch SMS also carries the order page's link (about 60
characters, /track/<token>/) so the customer can follow the parcel: two parts of a
concatenated SMS. The link holds the order page's secret; it reaches the outbox row and the
customer's phone, never a log line (oms.logredact; the console SMS backend redacts it too).
"""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.messaging import notify
from oms.registry import MessageEvent, MessageText
from orders.intake.channels import told_by_platform
from shipping.choices import ShipmentStatus
from shipping.models import Shipment
from shipping.order_page import order_page_url

S = ShipmentStatus

VARIABLES = {
    "order_number": _("Order number"),
    "customer_name": _("Customer name"),
    "carrier": _("Carrier"),
    "tracking_number": _("Tracking number"),
    "expected_delivery": _("Expected delivery date (may be empty)"),
    "order_url": _("Link to the customer's order page"),
    "company": _("Your company's name"),
}
SAMPLE = {
    "order_number": "SO-2026-000123",
    "customer_name": "上海明亮灯饰有限公司",
    "carrier": "顺丰速运",
    "tracking_number": "SF1234567890123",
    "expected_delivery": date(2026, 12, 8),
    "order_url": "https://shop.example.com/track/Hq3v8mJ0cW2nXyZ5aB7dE9fG1hK4lM6p/",
    "company": "明亮灯饰",
}
GREETING_EN = "Dear {{ customer_name }},\n\n"
GREETING_ZH = "{{ customer_name }}，您好：\n\n"
FOLLOW_EN = "\n\nFollow your order: {{ order_url }}\n\n{{ company }}"
FOLLOW_ZH = "\n\n查看订单进度：{{ order_url }}\n\n{{ company }}"

SHIPMENT_DISPATCHED = MessageEvent(
    code="shipment.dispatched",
    label=_("Shipment dispatched"),
    essential=True,
    defaults={
        "en": MessageText(
            subject="Your order {{ order_number }} is on its way",
            body=GREETING_EN
            + "your order {{ order_number }} has left our warehouse with {{ carrier }}, "
            "tracking number {{ tracking_number }}.{% if expected_delivery %} We expect it to "
            "arrive on {{ expected_delivery }}.{% endif %}" + FOLLOW_EN,
            sms="{{ company }}: order {{ order_number }} has shipped with {{ carrier }}, "
            "tracking {{ tracking_number }}"
            '{% if expected_delivery %}, expected {{ expected_delivery|date:"M j" }}{% endif %}.'
            " Follow it: {{ order_url }}",
        ),
        "zh-hans": MessageText(
            subject="您的订单 {{ order_number }} 已发货",
            body=GREETING_ZH
            + "您的订单 {{ order_number }} 已交由{{ carrier }}发出，运单号 {{ tracking_number }}。"
            "{% if expected_delivery %}预计 {{ expected_delivery }} 送达。{% endif %}" + FOLLOW_ZH,
            sms="【{{ company }}】订单{{ order_number }}已由{{ carrier }}发出，运单号"
            "{{ tracking_number }}"
            '{% if expected_delivery %}，预计{{ expected_delivery|date:"n月j日" }}送达{% endif %}。'
            "查看进度：{{ order_url }}",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

SHIPMENT_OUT_FOR_DELIVERY = MessageEvent(
    code="shipment.out_for_delivery",
    label=_("Shipment out for delivery"),
    essential=False,
    defaults={
        "en": MessageText(
            subject="Your order {{ order_number }} arrives today",
            body=GREETING_EN
            + "the {{ carrier }} courier is bringing your order {{ order_number }} today "
            "(tracking number {{ tracking_number }}). Please keep your phone at hand." + FOLLOW_EN,
            sms="{{ company }}: your order {{ order_number }} is out for delivery today with "
            "{{ carrier }} ({{ tracking_number }}).",
        ),
        "zh-hans": MessageText(
            subject="您的订单 {{ order_number }} 今天派送",
            body=GREETING_ZH
            + "{{ carrier }}快递员今天为您派送订单 {{ order_number }}（运单号 {{ tracking_number }}），"
            "请保持电话畅通。" + FOLLOW_ZH,
            sms="【{{ company }}】您的订单{{ order_number }}今天派送，{{ carrier }}运单号"
            "{{ tracking_number }}，请保持电话畅通。",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

SHIPMENT_DELIVERED = MessageEvent(
    code="shipment.delivered",
    label=_("Shipment delivered"),
    essential=False,
    defaults={
        "en": MessageText(
            subject="Your order {{ order_number }} has been delivered",
            body=GREETING_EN
            + "{{ carrier }} has delivered your order {{ order_number }}. Thank you for your "
            "order! If anything is missing or damaged, please contact us." + FOLLOW_EN,
            sms="{{ company }}: your order {{ order_number }} has been delivered. Thank you! "
            "Anything wrong? Please contact us.",
        ),
        "zh-hans": MessageText(
            subject="您的订单 {{ order_number }} 已签收",
            body=GREETING_ZH
            + "您的订单 {{ order_number }} 已由{{ carrier }}送达签收。感谢您的惠顾。"
            "如有缺件或破损，请与我们联系。" + FOLLOW_ZH,
            sms="【{{ company }}】您的订单{{ order_number }}已签收，感谢惠顾。如有问题请联系我们。",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

SHIPMENT_EXCEPTION = MessageEvent(
    code="shipment.exception",
    label=_("Delivery problem"),
    essential=True,
    defaults={
        "en": MessageText(
            subject="A delivery problem with your order {{ order_number }}",
            body=GREETING_EN
            + "{{ carrier }} reported a problem delivering your order {{ order_number }} "
            "(tracking number {{ tracking_number }}). We are looking into it and will contact "
            "you if we need anything from you." + FOLLOW_EN,
            sms="{{ company }}: a delivery problem with order {{ order_number }} "
            "({{ tracking_number }}). We are on it and will contact you if needed.",
        ),
        "zh-hans": MessageText(
            subject="您的订单 {{ order_number }} 配送遇到问题",
            body=GREETING_ZH
            + "{{ carrier }}在派送您的订单 {{ order_number }}（运单号 {{ tracking_number }}）时遇到问题。"
            "我们正在处理，如需您协助会及时联系您。" + FOLLOW_ZH,
            sms="【{{ company }}】订单{{ order_number }}配送异常（运单号{{ tracking_number }}），"
            "我们正在处理，会及时联系您。",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

SHIPMENT_MESSAGES: dict[str, MessageEvent] = {
    S.DISPATCHED: SHIPMENT_DISPATCHED,
    S.OUT_FOR_DELIVERY: SHIPMENT_OUT_FOR_DELIVERY,
    S.DELIVERED: SHIPMENT_DELIVERED,
    S.EXCEPTION: SHIPMENT_EXCEPTION,
}


def shipment_message_context(shipment: Shipment) -> dict[str, Any]:
    order = shipment.order
    return {
        "order_number": order.number,
        "customer_name": order.customer.name,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "expected_delivery": shipment.expected_delivery_date,
        "order_url": order_page_url(order),
    }


def notify_shipment_status(shipment: Shipment) -> None:
    """Tell the customer the shipment reached its status, when customers hear of that status:
    once per shipment and event (a shipment out for delivery twice sends one message). Not
    for a shop platform's orders: the platform tells its buyers itself."""
    event = SHIPMENT_MESSAGES.get(S(shipment.status))
    if event is None or told_by_platform(shipment.order.channel_id):
        return
    notify(
        shipment.order.customer,
        event.code,
        shipment_message_context(shipment),
        key=str(shipment.pk),
        about=[shipment.order],
    )
