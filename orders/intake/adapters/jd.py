"""JD-style order (the shape of jingdong.pop.order.get): `orderId`, `itemInfoList[]`
(outerSkuId, itemTotal, jdPrice), consigneeInfo {fullname, mobile (masked), province, city,
county, fullAddress}, pin (the buyer), freightPrice, orderPayment, modified."""

from collections.abc import Mapping

from orders.intake.adapters.base import BadPayload, items, money, obj, quantity, text
from orders.intake.place import SentAddress, SentBuyer, SentLine, SentOrder

ORDER_ID = "orderId"
MODIFIED = "modified"


def _line(item: Mapping) -> SentLine:
    sku = text(item, "outerSkuId", limit=64)
    if not sku:
        raise BadPayload("missing", field="outerSkuId")
    return SentLine(
        sku=sku,
        quantity=quantity(item, "itemTotal"),
        unit_price=money(item, "jdPrice", required=True),
    )


def parse(payload: Mapping) -> SentOrder:
    if not isinstance(payload, Mapping):
        raise BadPayload("not_object")
    order_id = text(payload, ORDER_ID, required=True, limit=64)
    lines = tuple(_line(item) for item in items(payload, "itemInfoList"))
    consignee = obj(payload, "consigneeInfo")
    province = text(consignee, "province", required=True)
    city = text(consignee, "city", limit=100)
    county = text(consignee, "county", limit=100)
    street = text(consignee, "fullAddress", required=True)
    # JD's fullAddress repeats the province, city and county: keep only the street.
    for part in (province, city, county):
        if part and street.startswith(part):
            street = street[len(part) :].strip()
    ship_to = SentAddress(
        recipient=text(consignee, "fullname", required=True, limit=100),
        phone=text(consignee, "mobile", limit=30) or text(consignee, "telephone", limit=30),
        region=province,
        city=city,
        district=county,
        street=street or text(consignee, "fullAddress"),
    )
    buyer_id = text(payload, "pin", limit=64) or text(payload, "buyerPin", limit=64)
    return SentOrder(
        external_id=order_id,
        lines=lines,
        buyer=SentBuyer(buyer_id=buyer_id or f"jd:{order_id}", name=buyer_id or ship_to.recipient),
        ship_to=ship_to,
        prices_include_tax=True,
        shipping_fee=money(payload, "freightPrice"),
        notes=text(payload, "orderRemark", limit=500),
        paid_amount=money(payload, "orderPayment"),
        payment_reference=order_id,
        extra={MODIFIED: text(payload, MODIFIED)},
    )
