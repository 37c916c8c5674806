"""What returns tell customers (oms.messaging.notify): approved (with the RMA number and the
instructions), rejected (with the reason), received, inspected. Sent inside the step's
transaction, once per return and event; registered in return_registrations.py.

Approval and rejection are essential (the customer must act on them or know the answer);
receipt and inspection are courtesies the return page also shows.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.models import ReturnRequest
from oms.registry import MessageEvent, MessageText
from shipping.order_page import order_page_url

VARIABLES = {
    "rma_number": _("RMA number (empty before approval)"),
    "order_number": _("Order number"),
    "customer_name": _("Customer name"),
    "instructions": _("Return instructions"),
    "rejection_reason": _("Why the return was refused"),
    "return_url": _("Link to the customer's return page"),
    "company": _("Your company's name"),
}
SAMPLE = {
    "rma_number": "RMA-2026-000001",
    "order_number": "SO-2026-000123",
    "customer_name": "上海明亮灯饰有限公司",
    "instructions": "请将商品寄回：上海仓，浦东新区张江路 88 号。",
    "rejection_reason": "已超过退货期限。",
    "return_url": "https://shop.example.com/track/Hq3v8mJ0cW2nXyZ5aB7dE9fG1hK4lM6p/return/",
    "company": "明亮灯饰",
}
GREETING_EN = "Dear {{ customer_name }},\n\n"
GREETING_ZH = "{{ customer_name }}，您好：\n\n"
FOLLOW_EN = "\n\nFollow your return: {{ return_url }}\n\n{{ company }}"
FOLLOW_ZH = "\n\n查看退货进度：{{ return_url }}\n\n{{ company }}"


def _event(
    code: str, label: Any, essential: bool, en: MessageText, zh: MessageText
) -> MessageEvent:
    return MessageEvent(
        code=code,
        label=label,
        essential=essential,
        defaults={"en": en, "zh-hans": zh},
        variables=VARIABLES,
        sample=SAMPLE,
    )


RETURN_APPROVED = _event(
    "return.approved",
    _("Return approved"),
    True,
    MessageText(
        subject="Your return {{ rma_number }} for order {{ order_number }} is approved",
        body=GREETING_EN
        + "we have approved your return for order {{ order_number }}. Your return number is "
        "{{ rma_number }}.\n\n{{ instructions }}" + FOLLOW_EN,
        sms="{{ company }}: return {{ rma_number }} (order {{ order_number }}) approved. "
        "Instructions: {{ return_url }}",
    ),
    MessageText(
        subject="您的订单 {{ order_number }} 退货申请已通过（{{ rma_number }}）",
        body=GREETING_ZH
        + "您的订单 {{ order_number }} 的退货申请已通过，退货单号 {{ rma_number }}。\n\n"
        "{{ instructions }}" + FOLLOW_ZH,
        sms="【{{ company }}】订单{{ order_number }}退货已通过，退货单号{{ rma_number }}。"
        "寄回说明：{{ return_url }}",
    ),
)

RETURN_REJECTED = _event(
    "return.rejected",
    _("Return rejected"),
    True,
    MessageText(
        subject="Your return request for order {{ order_number }}",
        body=GREETING_EN + "we cannot accept your return request for order {{ order_number }}: "
        "{{ rejection_reason }}\n\nIf you have questions, please reply to this message."
        + FOLLOW_EN,
        sms="{{ company }}: your return request for order {{ order_number }} was not accepted: "
        "{{ rejection_reason }}",
    ),
    MessageText(
        subject="您的订单 {{ order_number }} 退货申请结果",
        body=GREETING_ZH
        + "很抱歉，您的订单 {{ order_number }} 的退货申请未能通过：{{ rejection_reason }}\n\n"
        "如有疑问，请直接回复本消息。" + FOLLOW_ZH,
        sms="【{{ company }}】订单{{ order_number }}退货申请未通过：{{ rejection_reason }}",
    ),
)

RETURN_RECEIVED = _event(
    "return.received",
    _("Returned goods received"),
    False,
    MessageText(
        subject="We received your return {{ rma_number }}",
        body=GREETING_EN
        + "your returned goods ({{ rma_number }}, order {{ order_number }}) have arrived at "
        "our warehouse. We will inspect them and let you know." + FOLLOW_EN,
        sms="{{ company }}: we received your return {{ rma_number }} and will inspect it soon.",
    ),
    MessageText(
        subject="我们已收到您的退货 {{ rma_number }}",
        body=GREETING_ZH + "您的退货（{{ rma_number }}，订单 {{ order_number }}）已到达我们的仓库，"
        "检验后会通知您。" + FOLLOW_ZH,
        sms="【{{ company }}】已收到您的退货{{ rma_number }}，我们会尽快检验。",
    ),
)

RETURN_INSPECTED = _event(
    "return.inspected",
    _("Returned goods inspected"),
    False,
    MessageText(
        subject="Your return {{ rma_number }} has been inspected",
        body=GREETING_EN + "we have inspected the goods of your return {{ rma_number }} (order "
        "{{ order_number }}) and are now preparing your refund, exchange or repair." + FOLLOW_EN,
        sms="{{ company }}: your return {{ rma_number }} has been inspected; we are preparing "
        "the next step.",
    ),
    MessageText(
        subject="您的退货 {{ rma_number }} 已检验",
        body=GREETING_ZH + "您的退货 {{ rma_number }}（订单 {{ order_number }}）已检验完毕，"
        "我们正在为您办理退款、换货或维修。" + FOLLOW_ZH,
        sms="【{{ company }}】您的退货{{ rma_number }}已检验完毕，正在为您办理后续处理。",
    ),
)

RETURN_MESSAGES = [RETURN_APPROVED, RETURN_REJECTED, RETURN_RECEIVED, RETURN_INSPECTED]


def return_message_context(request: ReturnRequest) -> dict[str, Any]:
    order = request.order
    return {
        "rma_number": request.number or "",
        "order_number": order.number,
        "customer_name": request.customer.name,
        "instructions": request.instructions,
        "rejection_reason": request.rejection_reason,
        "return_url": order_page_url(order).rstrip("/") + "/return/",
    }
