"""Shopify's orders/create (and orders/updated) webhook: the order JSON as Shopify sends it.

`line_items[]` (sku, quantity, price, discount_allocations[].amount, tax_lines[].rate),
`shipping_address`, `customer`, `taxes_included`, `financial_status` ("paid": the buyer paid
`total_price`), `total_shipping_price_set.shop_money.amount` (or `shipping_lines[].price`)."""

from collections.abc import Mapping
from decimal import Decimal

from orders.intake.adapters.base import (
    BadPayload,
    amount,
    discounted,
    items,
    money,
    optional_obj,
    quantity,
    rate_percent,
    text,
)
from orders.intake.place import SentAddress, SentBuyer, SentLine, SentOrder

PAID = {"paid"}


def _line(item: Mapping) -> SentLine:
    sku = text(item, "sku", required=True, limit=64)
    count = quantity(item, "quantity")
    price = money(item, "price", required=True)
    discount = sum(
        (amount(a.get("amount"), "discount_allocations.amount") for a in _allocations(item)),
        Decimal(0),
    )
    unit_price, percent = discounted(price, count, discount)
    rates = [line.get("rate") for line in item.get("tax_lines") or [] if isinstance(line, Mapping)]
    return SentLine(
        sku=sku,
        quantity=count,
        unit_price=unit_price,
        discount_percent=percent,
        tax_rate=rate_percent(sum(Decimal(str(r)) for r in rates)) if rates else None,
    )


def _allocations(item: Mapping) -> list[Mapping]:
    value = item.get("discount_allocations") or []
    if not isinstance(value, list):
        raise BadPayload("not_list", field="discount_allocations")
    return [a for a in value if isinstance(a, Mapping)]


def _shipping_fee(payload: Mapping) -> Decimal | None:
    shop_money = optional_obj(optional_obj(payload, "total_shipping_price_set"), "shop_money")
    if shop_money.get("amount") not in (None, ""):
        return amount(shop_money["amount"], "total_shipping_price_set")
    lines = payload.get("shipping_lines")
    if isinstance(lines, list) and lines:
        return sum(
            (amount(line.get("price"), "shipping_lines.price") for line in lines if line),
            Decimal(0),
        )
    return None


def _name(person: Mapping) -> str:
    full = text(person, "name")
    if full:
        return full
    last, first = text(person, "last_name"), text(person, "first_name")
    # Chinese names read family name first, without a space.
    if any("\u4e00" <= ch <= "\u9fff" for ch in last + first):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def parse(payload: Mapping) -> SentOrder:
    if not isinstance(payload, Mapping):
        raise BadPayload("not_object")
    order_id = text(payload, "id", required=True, limit=64)
    lines = tuple(_line(item) for item in items(payload, "line_items"))
    address = optional_obj(payload, "shipping_address")
    customer = optional_obj(payload, "customer")
    ship_to = None
    if address:
        ship_to = SentAddress(
            recipient=_name(address),
            phone=text(address, "phone", limit=30),
            region=text(address, "province_code") or text(address, "province"),
            city=text(address, "city", limit=100),
            street=" ".join(
                part for part in (text(address, "address1"), text(address, "address2")) if part
            ),
            postal_code=text(address, "zip", limit=12),
        )
    buyer_id = text(customer, "id", limit=64) or text(payload, "email", limit=64)
    buyer = None
    if buyer_id:
        buyer = SentBuyer(
            buyer_id=buyer_id,
            name=_name(customer) or (ship_to.recipient if ship_to else buyer_id),
            phone=text(customer, "phone", limit=30),
            email=text(customer, "email") or text(payload, "email"),
        )
    paid = text(payload, "financial_status") in PAID
    return SentOrder(
        external_id=order_id,
        lines=lines,
        buyer=buyer,
        ship_to=ship_to,
        prices_include_tax=bool(payload.get("taxes_included", False)),
        shipping_fee=_shipping_fee(payload),
        notes=text(payload, "note", limit=500),
        paid_amount=money(payload, "total_price", required=True) if paid else None,
        payment_reference=text(payload, "name", limit=64) or order_id,
        extra={"platform_name": text(payload, "name", limit=64)},
    )
