"""Taobao/Tmall-style trade (the shape of taobao.trade.fullinfo.get): `tid`, `orders[]`
(outer_sku_id, num, price, discount_fee), receiver_name, receiver_mobile (masked, kept as
given), receiver_state/city/district/address/zip, buyer_nick, buyer_open_uid, post_fee,
payment (what the buyer paid), modified ("2026-11-30 14:05:09", Beijing time)."""

from collections.abc import Mapping
from decimal import Decimal

from orders.intake.adapters.base import BadPayload, discounted, items, money, quantity, text
from orders.intake.place import SentAddress, SentBuyer, SentLine, SentOrder

ORDER_ID = "tid"
MODIFIED = "modified"


def _line(item: Mapping) -> SentLine:
    sku = text(item, "outer_sku_id", limit=64) or text(item, "outer_iid", limit=64)
    if not sku:
        raise BadPayload("missing", field="outer_sku_id")
    count = quantity(item, "num")
    price = money(item, "price", required=True)
    unit_price, percent = discounted(price, count, money(item, "discount_fee") or Decimal(0))
    return SentLine(sku=sku, quantity=count, unit_price=unit_price, discount_percent=percent)


def parse(payload: Mapping) -> SentOrder:
    if not isinstance(payload, Mapping):
        raise BadPayload("not_object")
    tid = text(payload, ORDER_ID, required=True, limit=64)
    lines = tuple(_line(item) for item in items(payload, "orders"))
    ship_to = SentAddress(
        recipient=text(payload, "receiver_name", required=True, limit=100),
        phone=text(payload, "receiver_mobile", limit=30) or text(payload, "receiver_phone"),
        region=text(payload, "receiver_state", required=True),
        city=text(payload, "receiver_city", limit=100),
        district=text(payload, "receiver_district", limit=100),
        street=text(payload, "receiver_address", required=True),
        postal_code=text(payload, "receiver_zip", limit=12),
    )
    buyer_id = text(payload, "buyer_open_uid", limit=64) or text(payload, "buyer_nick", limit=64)
    if not buyer_id:
        raise BadPayload("missing", field="buyer_open_uid")
    return SentOrder(
        external_id=tid,
        lines=lines,
        buyer=SentBuyer(buyer_id=buyer_id, name=text(payload, "buyer_nick") or ship_to.recipient),
        ship_to=ship_to,
        prices_include_tax=True,
        shipping_fee=money(payload, "post_fee"),
        notes=text(payload, "buyer_message", limit=500),
        paid_amount=money(payload, "payment"),
        payment_reference=text(payload, "alipay_no", limit=64) or tid,
        extra={MODIFIED: text(payload, MODIFIED)},
    )
