"""Pickup codes: made when a store-pickup parcel is packed, sent to the customer through
oms.messaging.notify, and checked at the pickup desk.

A code is 8 random digits (`secrets`); only its keyed digest (HMAC-SHA256 with the secret
key) is stored, unique among open codes, so neither the table nor a guess in bulk yields a
parcel (the desk also throttles wrong codes: shipping.pickup). A code works once.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.messaging import notify
from oms.registry import MessageEvent, MessageText
from shipping.models import PickupCode, Shipment

CODE_DIGITS = 8
READY_FOR_PICKUP = "shipment.ready_for_pickup"


def code_digest(code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"pickup-code:{code}".encode(), hashlib.sha256
    ).hexdigest()


def normalise_code(typed: str) -> str | None:
    """The digits of a typed or scanned code (spaces and dashes allowed), or None when it
    cannot be a code."""
    digits = "".join(ch for ch in str(typed) if ch not in " -\t")
    if len(digits) != CODE_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return digits


def _new_code(shipment: Shipment) -> tuple[PickupCode, str]:
    for _attempt in range(10):
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        try:
            with transaction.atomic():  # a savepoint: a clash with an open code draws again
                row = PickupCode.objects.create(
                    shipment=shipment, point_id=shipment.pickup_point_id, digest=code_digest(code)
                )
        except IntegrityError:
            continue
        return row, code
    raise RuntimeError("no free pickup code after 10 draws")


def revoke_codes(shipment: Shipment) -> int:
    """The shipment's open codes stop working (a new code, a voided shipment)."""
    return PickupCode.objects.filter(
        shipment=shipment, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


def issue_pickup_code(shipment: Shipment) -> tuple[PickupCode, str]:
    """A new code for a parcel waiting at its pickup point (earlier codes stop working), sent
    to the customer in the caller's transaction. The caller holds the shipment's lock.
    Returns the row and the code (the only time the code is known in clear)."""
    revoke_codes(shipment)
    row, code = _new_code(shipment)
    point = shipment.pickup_point
    order = shipment.order
    notify(
        order.customer,
        READY_FOR_PICKUP,
        {
            "customer_name": order.customer.name,
            "order_number": order.number,
            "shipment_number": shipment.number,
            "pickup_code": code,
            "point_name": point.name,
            "point_address": point.one_line,
            "opening_hours": point.opening_hours,
            "point_phone": point.phone,
        },
        key=str(row.pk),
        about=[order],
    )
    return row, code


READY_FOR_PICKUP_EVENT = MessageEvent(
    code=READY_FOR_PICKUP,
    label=_("Ready for pickup (pickup code)"),
    essential=True,  # without the code the customer cannot collect the goods
    defaults={
        "en": MessageText(
            subject="Your order {{ order_number }} is ready for pickup",
            body=(
                "Dear {{ customer_name }},\n\n"
                "your order {{ order_number }} (parcel {{ shipment_number }}) is ready for "
                "pickup at {{ point_name }}, {{ point_address }}.\n"
                "Opening hours: {{ opening_hours }}"
                "{% if point_phone %} · Phone {{ point_phone }}{% endif %}.\n\n"
                "Your pickup code: {{ pickup_code }}\n\n"
                "Show or tell this code at the counter; it works once. Keep it to yourself: "
                "whoever has it may collect the parcel.\n\n{{ company }}"
            ),
            sms="{{ company }}: order {{ order_number }} is ready at {{ point_name }}. "
            "Pickup code {{ pickup_code }}. Hours: {{ opening_hours }}",
        ),
        "zh-hans": MessageText(
            subject="您的订单 {{ order_number }} 已可自提",
            body=(
                "{{ customer_name }}，您好：\n\n"
                "您的订单 {{ order_number }}（包裹 {{ shipment_number }}）已到达自提点"
                "{{ point_name }}（{{ point_address }}），可以取件了。\n"
                "营业时间：{{ opening_hours }}"
                "{% if point_phone %}，电话 {{ point_phone }}{% endif %}。\n\n"
                "取件码：{{ pickup_code }}\n\n"
                "请在柜台出示或告知此取件码，取件码仅可使用一次。请勿告诉他人：持码者即可取走包裹。"
                "\n\n{{ company }}"
            ),
            sms="【{{ company }}】订单{{ order_number }}已到{{ point_name }}，取件码{{ pickup_code }}，"
            "营业时间{{ opening_hours }}。",
        ),
    },
    variables={
        "customer_name": _("Customer name"),
        "order_number": _("Order number"),
        "shipment_number": _("Shipment number"),
        "pickup_code": _("Pickup code (8 digits)"),
        "point_name": _("Pickup point"),
        "point_address": _("Pickup point's address"),
        "opening_hours": _("Opening hours"),
        "point_phone": _("Pickup point's phone (may be empty)"),
        "company": _("Your company's name"),
    },
    sample={
        "customer_name": "上海明亮灯饰有限公司",
        "order_number": "SO-2026-000123",
        "shipment_number": "SH-2026-000456",
        "pickup_code": "40317258",
        "point_name": "徐汇门店",
        "point_address": "上海市 上海 漕溪北路 88 号",
        "opening_hours": "周一至周六 09:00-18:00",
        "point_phone": "021-5555 0101",
        "company": "Demo Lighting & Home Co.",
    },
)
