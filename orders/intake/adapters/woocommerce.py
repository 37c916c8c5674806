"""WooCommerce's order webhook (order.created / order.updated): the REST API's order JSON.

`line_items[]` (sku, quantity, price, subtotal, total), `shipping` and `billing` (first_name,
last_name, phone, address_1, address_2, city, state, postcode), `customer_id`,
`prices_include_tax`, `shipping_total`, `status` ("processing"/"completed": paid `total`)."""

from collections.abc import Mapping
from decimal import Decimal

from orders.intake.adapters.base import (
    CENT,
    BadPayload,
    discounted,
    items,
    money,
    optional_obj,
    quantity,
    text,
)
from orders.intake.place import SentAddress, SentBuyer, SentLine, SentOrder

PAID = {"processing", "completed"}


def _line(item: Mapping) -> SentLine:
    sku = text(item, "sku", required=True, limit=64)
    count = quantity(item, "quantity")
    subtotal = money(item, "subtotal")
    total = money(item, "total")
    price = money(item, "price")
    if subtotal is not None:
        # subtotal: before coupons; total: after. The unit price is the subtotal's share.
        unit = subtotal / count
        if unit != unit.quantize(CENT) and price is not None:
            unit = price
        discount = subtotal - total if total is not None and total < subtotal else Decimal(0)
        unit_price, percent = discounted(unit.quantize(CENT), count, discount)
    elif price is not None:
        unit_price, percent = price, Decimal(0)
    else:
        raise BadPayload("no_price")
    return SentLine(sku=sku, quantity=count, unit_price=unit_price, discount_percent=percent)


def _name(person: Mapping) -> str:
    last, first = text(person, "last_name"), text(person, "first_name")
    if any("\u4e00" <= ch <= "\u9fff" for ch in last + first):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def parse(payload: Mapping) -> SentOrder:
    if not isinstance(payload, Mapping):
        raise BadPayload("not_object")
    order_id = text(payload, "id", required=True, limit=64)
    lines = tuple(_line(item) for item in items(payload, "line_items"))
    billing = optional_obj(payload, "billing")
    shipping = optional_obj(payload, "shipping") or billing
    ship_to = None
    if text(shipping, "address_1"):
        ship_to = SentAddress(
            recipient=_name(shipping) or _name(billing),
            phone=text(shipping, "phone", limit=30) or text(billing, "phone", limit=30),
            region=text(shipping, "state"),
            city=text(shipping, "city", limit=100),
            street=" ".join(
                part for part in (text(shipping, "address_1"), text(shipping, "address_2")) if part
            ),
            postal_code=text(shipping, "postcode", limit=12),
        )
    customer_id = text(payload, "customer_id", limit=64)
    buyer_id = customer_id if customer_id not in ("", "0") else text(billing, "email", limit=64)
    buyer = None
    if buyer_id:
        buyer = SentBuyer(
            buyer_id=buyer_id,
            name=_name(billing) or (ship_to.recipient if ship_to else buyer_id),
            phone=text(billing, "phone", limit=30),
            email=text(billing, "email"),
        )
    paid = text(payload, "status") in PAID
    return SentOrder(
        external_id=order_id,
        lines=lines,
        buyer=buyer,
        ship_to=ship_to,
        prices_include_tax=bool(payload.get("prices_include_tax", False)),
        shipping_fee=money(payload, "shipping_total"),
        notes=text(payload, "customer_note", limit=500),
        paid_amount=money(payload, "total", required=True) if paid else None,
        payment_reference=text(payload, "transaction_id", limit=64) or order_id,
        extra={"platform_number": text(payload, "number", limit=64)},
    )
