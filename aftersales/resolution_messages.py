"""What customers hear when their return is settled (oms.messaging.notify), registered in
resolution_registrations.py and written in the resolution's transaction, once per return.
All three are essential: they say what happens to the customer's money or goods."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.registry import MessageEvent, MessageText

VARIABLES = {
    "return_number": _("Return (RMA) number"),
    "order_number": _("Order number"),
    "customer_name": _("Customer name"),
    "amount": _("Amount paid back (may be 0)"),
    "replacement_number": _("Number of the order that sends the goods"),
    "company": _("Your company's name"),
}
SAMPLE: dict[str, Any] = {
    "return_number": "RMA-2026-000042",
    "order_number": "SO-2026-000123",
    "customer_name": "上海明亮灯饰有限公司",
    "amount": "¥1,280.00",
    "replacement_number": "SO-2026-000456",
    "company": "明亮灯饰",
}
GREETING_EN = "Dear {{ customer_name }},\n\n"
GREETING_ZH = "{{ customer_name }}，您好：\n\n"

RETURN_REFUNDED = MessageEvent(
    code="return.refunded",
    label=_("Return refunded"),
    essential=True,
    defaults={
        "en": MessageText(
            subject="Your return {{ return_number }} is refunded",
            body=GREETING_EN
            + "We have settled your return {{ return_number }} of order {{ order_number }}: "
            "{{ amount }} is on its way back to you, the same way you paid. It may take a few "
            "working days to arrive.\n\n{{ company }}",
            sms="{{ company }}: return {{ return_number }} refunded, {{ amount }} is on its way "
            "back to you the way you paid.",
        ),
        "zh-hans": MessageText(
            subject="您的退货 {{ return_number }} 已退款",
            body=GREETING_ZH + "您订单 {{ order_number }} 的退货 {{ return_number }} 已处理完毕："
            "{{ amount }} 将按原支付方式退回，到账可能需要几个工作日。\n\n{{ company }}",
            sms="【{{ company }}】退货{{ return_number }}已退款{{ amount }}，将按原支付方式退回。",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

RETURN_EXCHANGED = MessageEvent(
    code="return.exchanged",
    label=_("Return exchanged"),
    essential=True,
    defaults={
        "en": MessageText(
            subject="Your replacement for return {{ return_number }} is on its way",
            body=GREETING_EN
            + "We are sending you new goods for your return {{ return_number }} of order "
            "{{ order_number }}, at no charge, with order {{ replacement_number }}. You will "
            "hear from us again when it leaves our warehouse.\n\n{{ company }}",
            sms="{{ company }}: replacement for return {{ return_number }} sent at no charge "
            "as order {{ replacement_number }}.",
        ),
        "zh-hans": MessageText(
            subject="您的退货 {{ return_number }} 换货已安排",
            body=GREETING_ZH
            + "您订单 {{ order_number }} 的退货 {{ return_number }} 已安排免费换货，"
            "换货订单号 {{ replacement_number }}。发货后我们会再通知您。\n\n{{ company }}",
            sms="【{{ company }}】退货{{ return_number }}已安排免费换货，换货订单{{ replacement_number }}。",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

RETURN_REPAIR = MessageEvent(
    code="return.repair",
    label=_("Return sent for repair"),
    essential=True,
    defaults={
        "en": MessageText(
            subject="Your return {{ return_number }} is being repaired",
            body=GREETING_EN
            + "We are repairing the goods of your return {{ return_number }} of order "
            "{{ order_number }}. Once the repair is done we send them back to you at no charge "
            "with order {{ replacement_number }}.\n\n{{ company }}",
            sms="{{ company }}: return {{ return_number }} is being repaired; it comes back to "
            "you at no charge as order {{ replacement_number }}.",
        ),
        "zh-hans": MessageText(
            subject="您的退货 {{ return_number }} 正在维修",
            body=GREETING_ZH + "您订单 {{ order_number }} 的退货 {{ return_number }} 正在维修，"
            "维修完成后将通过订单 {{ replacement_number }} 免费寄回给您。\n\n{{ company }}",
            sms="【{{ company }}】退货{{ return_number }}正在维修，修好后经订单{{ replacement_number }}免费寄回。",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

RESOLUTION_MESSAGES = {
    "refund": RETURN_REFUNDED,
    "exchange": RETURN_EXCHANGED,
    "repair": RETURN_REPAIR,
}
