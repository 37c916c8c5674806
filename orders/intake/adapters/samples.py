"""Realistic payloads of each platform style, for the marketplace simulator, the demo data and
the tests: one buyer and their lines, written the way each platform writes them."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Buyer:
    buyer_id: str
    nick: str
    family: str
    given: str
    mobile: str  # full: 13812345678
    province: str  # 浙江省
    city: str
    district: str
    street: str
    email: str = ""

    @property
    def name(self) -> str:
        return f"{self.family}{self.given}"

    @property
    def masked(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]}"


BUYERS = (
    Buyer(
        "u1001",
        "小王爱购物",
        "王",
        "芳",
        "13812345678",
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路 259 号 3 幢 502 室",
        "wangfang@example.cn",
    ),
    Buyer(
        "u1002",
        "tb_李明",
        "李",
        "明",
        "13998765432",
        "广东省",
        "深圳市",
        "南山区",
        "科技园南区 深南大道 9988 号",
        "liming@example.cn",
    ),
    Buyer(
        "u1003",
        "jd_张伟",
        "张",
        "伟",
        "13700001111",
        "江苏省",
        "南京市",
        "鼓楼区",
        "中山北路 30 号 1201",
        "zhangwei@example.cn",
    ),
    Buyer(
        "u1004",
        "刘洋洋",
        "刘",
        "洋",
        "15011112222",
        "北京市",
        "北京市",
        "朝阳区",
        "建国路 88 号 SOHO 现代城 A 座 1608",
        "liuyang@example.cn",
    ),
    Buyer(
        "u1005",
        "陈静_shop",
        "陈",
        "静",
        "18622223333",
        "四川省",
        "成都市",
        "武侯区",
        "天府大道北段 1700 号 环球中心 W6 区",
        "chenjing@example.cn",
    ),
)

Line = tuple[str, int, str]  # (platform SKU, quantity, unit price "199.00")


def _total(lines: list[Line]) -> Decimal:
    return sum((Decimal(price) * count for _sku, count, price in lines), Decimal(0))


def shopify(
    order_id: int,
    buyer: Buyer,
    lines: list[Line],
    *,
    paid: bool = True,
    shipping: str = "0.00",
    discount: str = "0.00",
) -> dict:
    total = _total(lines) + Decimal(shipping) - Decimal(discount)
    items = []
    for index, (sku, count, price) in enumerate(lines):
        allocations = [{"amount": discount}] if index == 0 and Decimal(discount) else []
        items.append(
            {
                "id": order_id * 10 + index,
                "sku": sku,
                "quantity": count,
                "price": price,
                "title": sku,
                "discount_allocations": allocations,
                "tax_lines": [{"rate": 0.13, "title": "VAT"}],
            }
        )
    return {
        "id": order_id,
        "name": f"#{order_id % 100000}",
        "email": buyer.email,
        "created_at": "2026-11-30T14:05:09+08:00",
        "currency": "CNY",
        "financial_status": "paid" if paid else "pending",
        "taxes_included": True,
        "total_price": f"{total:.2f}",
        "total_shipping_price_set": {"shop_money": {"amount": shipping, "currency_code": "CNY"}},
        "note": "请尽快发货",
        "line_items": items,
        "customer": {
            "id": int(buyer.buyer_id[1:]) + 7000000,
            "first_name": buyer.given,
            "last_name": buyer.family,
            "email": buyer.email,
            "phone": buyer.mobile,
        },
        "shipping_address": {
            "first_name": buyer.given,
            "last_name": buyer.family,
            "name": f"{buyer.family}{buyer.given}",
            "phone": buyer.mobile,
            "address1": f"{buyer.district}{buyer.street}",
            "address2": "",
            "city": buyer.city,
            "province": buyer.province,
            "country_code": "CN",
            "zip": "310012",
        },
    }


def woocommerce(
    order_id: int,
    buyer: Buyer,
    lines: list[Line],
    *,
    status: str = "processing",
    shipping: str = "0.00",
) -> dict:
    total = _total(lines) + Decimal(shipping)
    person = {
        "first_name": buyer.given,
        "last_name": buyer.family,
        "company": "",
        "address_1": f"{buyer.district}{buyer.street}",
        "address_2": "",
        "city": buyer.city,
        "state": buyer.province,
        "postcode": "210008",
        "country": "CN",
        "phone": buyer.mobile,
    }
    return {
        "id": order_id,
        "number": str(order_id),
        "status": status,
        "currency": "CNY",
        "prices_include_tax": True,
        "customer_id": int(buyer.buyer_id[1:]),
        "customer_note": "",
        "shipping_total": shipping,
        "total": f"{total:.2f}",
        "transaction_id": f"wx{order_id}",
        "billing": {**person, "email": buyer.email},
        "shipping": person,
        "line_items": [
            {
                "id": order_id * 10 + i,
                "name": sku,
                "sku": sku,
                "quantity": count,
                "price": float(price),
                "subtotal": f"{Decimal(price) * count:.2f}",
                "total": f"{Decimal(price) * count:.2f}",
            }
            for i, (sku, count, price) in enumerate(lines)
        ],
    }


def taobao(
    tid: int, buyer: Buyer, lines: list[Line], *, modified: str, post_fee: str = "0.00"
) -> dict:
    return {
        "tid": tid,
        "status": "WAIT_SELLER_SEND_GOODS",
        "buyer_nick": buyer.nick,
        "buyer_open_uid": f"AAH{buyer.buyer_id}tb",
        "receiver_name": buyer.name,
        "receiver_mobile": buyer.masked,
        "receiver_state": buyer.province,
        "receiver_city": buyer.city,
        "receiver_district": buyer.district,
        "receiver_address": buyer.street,
        "receiver_zip": "000000",
        "post_fee": post_fee,
        "payment": f"{_total(lines) + Decimal(post_fee):.2f}",
        "created": modified,
        "modified": modified,
        "buyer_message": "",
        "orders": [
            {
                "oid": tid * 10 + i,
                "outer_sku_id": sku,
                "num": count,
                "price": price,
                "title": sku,
                "discount_fee": "0.00",
            }
            for i, (sku, count, price) in enumerate(lines)
        ],
    }


def jd(
    order_id: int, buyer: Buyer, lines: list[Line], *, modified: str, freight: str = "0.00"
) -> dict:
    return {
        "orderId": str(order_id),
        "orderState": "WAIT_SELLER_STOCK_OUT",
        "pin": f"jd_{buyer.buyer_id}",
        "freightPrice": freight,
        "orderPayment": f"{_total(lines) + Decimal(freight):.2f}",
        "orderStartTime": modified,
        "modified": modified,
        "consigneeInfo": {
            "fullname": buyer.name,
            "mobile": buyer.masked,
            "province": buyer.province,
            "city": buyer.city,
            "county": buyer.district,
            "fullAddress": f"{buyer.province}{buyer.city}{buyer.district}{buyer.street}",
        },
        "itemInfoList": [
            {
                "skuId": str(order_id * 10 + i),
                "outerSkuId": sku,
                "itemTotal": str(count),
                "jdPrice": price,
                "skuName": sku,
            }
            for i, (sku, count, price) in enumerate(lines)
        ],
    }


def pinduoduo(
    order_sn: str, buyer: Buyer, lines: list[Line], *, modified: str, postage: str = "0.00"
) -> dict:
    return {
        "order_sn": order_sn,
        "order_status": 1,
        "receiver_name": buyer.name,
        "receiver_phone": buyer.masked,
        "province": buyer.province,
        "city": buyer.city,
        "town": buyer.district,
        "address": buyer.street,
        "postage": postage,
        "pay_amount": f"{_total(lines) + Decimal(postage):.2f}",
        "created_time": modified,
        "updated_at": modified,
        "item_list": [
            {
                "goods_id": 1000 + i,
                "outer_sku_id": sku,
                "goods_count": count,
                "goods_price": float(price),
                "goods_name": sku,
            }
            for i, (sku, count, price) in enumerate(lines)
        ],
    }
