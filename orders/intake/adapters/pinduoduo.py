"""Pinduoduo-style order (the shape of pdd.order.information.get): `order_sn`, `item_list[]`
(outer_sku_id, goods_count, goods_price), receiver_name, receiver_phone (masked),
province, city, town, address, buyer_id (when given), postage, pay_amount, updated_at."""

from collections.abc import Mapping

from orders.intake.adapters.base import BadPayload, items, money, quantity, text
from orders.intake.place import SentAddress, SentBuyer, SentLine, SentOrder

ORDER_ID = "order_sn"
MODIFIED = "updated_at"


def _line(item: Mapping) -> SentLine:
    sku = text(item, "outer_sku_id", limit=64) or text(item, "outer_id", limit=64)
    if not sku:
        raise BadPayload("missing", field="outer_sku_id")
    return SentLine(
        sku=sku,
        quantity=quantity(item, "goods_count"),
        unit_price=money(item, "goods_price", required=True),
    )


def parse(payload: Mapping) -> SentOrder:
    if not isinstance(payload, Mapping):
        raise BadPayload("not_object")
    order_sn = text(payload, ORDER_ID, required=True, limit=64)
    lines = tuple(_line(item) for item in items(payload, "item_list"))
    ship_to = SentAddress(
        recipient=text(payload, "receiver_name", required=True, limit=100),
        phone=text(payload, "receiver_phone", limit=30),
        region=text(payload, "province", required=True),
        city=text(payload, "city", limit=100),
        district=text(payload, "town", limit=100),
        street=text(payload, "address", required=True),
    )
    # Pinduoduo hides its buyers: an order without a buyer id is its own buyer.
    buyer_id = text(payload, "buyer_id", limit=64) or f"pdd:{order_sn}"
    return SentOrder(
        external_id=order_sn,
        lines=lines,
        buyer=SentBuyer(buyer_id=buyer_id, name=ship_to.recipient),
        ship_to=ship_to,
        prices_include_tax=True,
        shipping_fee=money(payload, "postage"),
        notes=text(payload, "buyer_memo", limit=500),
        paid_amount=money(payload, "pay_amount"),
        payment_reference=order_sn,
        extra={MODIFIED: text(payload, MODIFIED)},
    )
