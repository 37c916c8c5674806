"""The platform adapters: each payload style becomes the one order shape (pure functions,
no database): SKUs, quantities, prices and discounts as sent, the receiver (masked phones
kept as given), the buyer, whether and what the buyer paid."""

from decimal import Decimal

import pytest

from orders.intake.adapters import BadPayload, jd, pinduoduo, samples, shopify, taobao, woocommerce

WANG = samples.BUYERS[0]


def test_shopify_paid_order_with_a_discount_and_tax_included():
    payload = samples.shopify(
        5678901234,
        WANG,
        [("TEA-LJ-250", 2, "199.00"), ("CUP-01", 1, "59.90")],
        shipping="10.00",
        discount="20.00",
    )
    sent = shopify.parse(payload)
    assert sent.external_id == "5678901234"
    first, second = sent.lines
    assert (first.sku, first.quantity) == ("TEA-LJ-250", 2)
    # 20.00 off 398.00 is 5.0251…%: not exact to two places, so 10.00 off each unit.
    assert (first.unit_price, first.discount_percent) == (Decimal("189.00"), 0)
    assert first.tax_rate == Decimal(13)
    assert second.discount_percent == 0
    assert sent.prices_include_tax is True
    assert sent.shipping_fee == Decimal("10.00")
    assert sent.paid_amount == Decimal("447.90")  # 398 + 59.90 + 10 - 20
    assert sent.ship_to.recipient == "王芳"
    assert sent.ship_to.region == "浙江省"
    assert sent.ship_to.street.startswith("西湖区文三路")
    assert sent.buyer.buyer_id == "7001001"
    assert sent.notes == "请尽快发货"


def test_shopify_discount_exact_as_a_percent():
    payload = samples.shopify(1, WANG, [("A", 2, "100.00")], discount="20.00")
    (line,) = shopify.parse(payload).lines
    assert (line.unit_price, line.discount_percent) == (Decimal("100.00"), Decimal("10.00"))


def test_shopify_unpaid_order_has_no_paid_amount():
    sent = shopify.parse(samples.shopify(2, WANG, [("A", 1, "10.00")], paid=False))
    assert sent.paid_amount is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p.pop("line_items"), "line_items"),
        (lambda p: p["line_items"][0].update(quantity=0), "quantity"),
        (lambda p: p["line_items"][0].update(quantity="两"), "quantity"),
        (lambda p: p["line_items"][0].update(price="1.0000000001"), "price"),
        (lambda p: p["line_items"][0].update(price="-5"), "price"),
        (lambda p: p["line_items"][0].update(sku=""), "sku"),
        (lambda p: p.pop("id"), "id"),
    ],
)
def test_shopify_bad_payloads_say_what_is_wrong(change, field):
    payload = samples.shopify(3, WANG, [("A", 1, "10.00")])
    change(payload)
    with pytest.raises(BadPayload, match=field):
        shopify.parse(payload)


def test_not_an_object_is_a_bad_payload():
    for parse in (shopify.parse, woocommerce.parse, taobao.parse, jd.parse, pinduoduo.parse):
        with pytest.raises(BadPayload):
            parse(["订单"])


def test_woocommerce_processing_order_is_paid():
    sent = woocommerce.parse(
        samples.woocommerce(
            4321, samples.BUYERS[2], [("TEA-LJ-250", 3, "199.00")], shipping="12.00"
        )
    )
    assert sent.external_id == "4321"
    (line,) = sent.lines
    assert (line.sku, line.quantity, line.unit_price) == ("TEA-LJ-250", 3, Decimal("199.00"))
    assert sent.paid_amount == Decimal("609.00")
    assert sent.shipping_fee == Decimal("12.00")
    assert sent.prices_include_tax is True
    assert sent.ship_to.recipient == "张伟"
    assert sent.ship_to.region == "江苏省"
    assert sent.buyer.buyer_id == "1003"


def test_woocommerce_coupon_lowers_the_line():
    payload = samples.woocommerce(9, WANG, [("A", 4, "25.00")])
    payload["line_items"][0]["total"] = "90.00"  # a 10 % coupon
    (line,) = woocommerce.parse(payload).lines
    assert (line.unit_price, line.discount_percent) == (Decimal("25.00"), Decimal("10.00"))


@pytest.mark.parametrize("status", ["pending", "on-hold", "cancelled"])
def test_woocommerce_unpaid_statuses(status):
    sent = woocommerce.parse(samples.woocommerce(5, WANG, [("A", 1, "9.90")], status=status))
    assert sent.paid_amount is None


def test_taobao_trade_keeps_the_masked_mobile():
    li = samples.BUYERS[1]
    payload = samples.taobao(
        3_920_117_845_562,
        li,
        [("TB-TEA-01", 2, "88.00")],
        modified="2026-11-30 14:05:09",
        post_fee="8.00",
    )
    sent = taobao.parse(payload)
    assert sent.external_id == "3920117845562"
    assert sent.ship_to.phone == "139****5432"
    assert (sent.ship_to.region, sent.ship_to.city, sent.ship_to.district) == (
        "广东省",
        "深圳市",
        "南山区",
    )
    assert sent.buyer.buyer_id == "AAHu1002tb"
    assert sent.buyer.name == "tb_李明"
    assert sent.paid_amount == Decimal("184.00")
    assert sent.shipping_fee == Decimal("8.00")
    assert sent.lines[0].sku == "TB-TEA-01"
    assert sent.extra["modified"] == "2026-11-30 14:05:09"


def test_jd_order_strips_the_region_from_the_full_address():
    zhang = samples.BUYERS[2]
    sent = jd.parse(
        samples.jd(
            2_871_443_001, zhang, [("JD-CUP-02", 1, "59.00")], modified="2026-11-30 15:00:00"
        )
    )
    assert sent.external_id == "2871443001"
    assert sent.ship_to.street == "中山北路 30 号 1201"
    assert sent.ship_to.phone == "137****1111"
    assert sent.buyer.buyer_id == "jd_u1003"
    assert sent.lines[0].quantity == 1
    assert sent.paid_amount == Decimal("59.00")


def test_jd_missing_consignee_is_a_bad_payload():
    payload = samples.jd(1, WANG, [("A", 1, "1.00")], modified="2026-11-30 15:00:00")
    del payload["consigneeInfo"]
    with pytest.raises(BadPayload, match="consigneeInfo"):
        jd.parse(payload)


def test_pinduoduo_order_without_a_buyer_id_is_its_own_buyer():
    chen = samples.BUYERS[4]
    sent = pinduoduo.parse(
        samples.pinduoduo(
            "261130-458812345670123",
            chen,
            [("PDD-SNACK-9", 5, "9.90")],
            modified="2026-11-30 16:20:00",
            postage="0.00",
        )
    )
    assert sent.external_id == "261130-458812345670123"
    assert sent.buyer.buyer_id == "pdd:261130-458812345670123"
    assert sent.ship_to.phone == "186****3333"
    assert sent.ship_to.district == "武侯区"
    assert sent.lines[0].unit_price == Decimal("9.90")
    assert sent.paid_amount == Decimal("49.50")
