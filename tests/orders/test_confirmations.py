"""Each platform's ship confirmation built from our shipped payload (pure functions)."""

import pytest

from orders.intake.confirmations import UnmappedCarrier, company_code, ship_confirmation


def shipped(numbers=("SF1234567890",), carrier_code="SF", carrier="SF Express"):
    return {
        "order": {"number": "SO-2026-000042", "external_id": "EXT-9", "channel": "shop"},
        "shipment": {
            "number": "SH-2026-000007",
            "carrier": carrier,
            "carrier_code": carrier_code,
            "tracking_numbers": list(numbers),
            "dispatched_at": "2026-11-30T09:15:00+08:00",
            "lines": [{"line_no": 1, "sku": "LAMP-1", "quantity": 2}],
        },
    }


def test_shopify_is_a_fulfillment_with_tracking_company_and_number():
    path, body = ship_confirmation("shopify", shipped(("SF1", "SF2")))
    assert path == "/orders/EXT-9/fulfillments.json"
    assert body == {
        "fulfillment": {
            "tracking_company": "SF Express",
            "tracking_number": "SF1",
            "tracking_numbers": ["SF1", "SF2"],
            "notify_customer": True,
            "line_items": [{"sku": "LAMP-1", "quantity": 2}],
        }
    }


def test_woocommerce_is_a_shipment_tracking():
    path, body = ship_confirmation("woocommerce", shipped())
    assert path == "/orders/EXT-9/shipment-trackings"
    assert body["tracking_provider"] == "SF Express"
    assert body["tracking_number"] == "SF1234567890"
    assert body["date_shipped"] == "2026-11-30"


def test_taobao_is_logistics_offline_send():
    path, body = ship_confirmation("taobao", shipped(carrier_code="jt"))
    assert path == "/logistics.offline.send"
    assert body == {
        "method": "taobao.logistics.offline.send",
        "tid": "EXT-9",
        "out_sid": "SF1234567890",
        "company_code": "JTSD",
    }


def test_jd_joins_waybills_and_pinduoduo_sends_the_first_with_the_platforms_carrier_id():
    _path, jd = ship_confirmation(
        "jd", shipped(("JD1", "JD2"), carrier_code="jd"), {"JD": "2087", "SF": "467"}
    )
    assert jd == {
        "method": "jingdong.pop.order.shipment",
        "orderId": "EXT-9",
        "logiCoprId": "2087",
        "logiNo": "JD1,JD2",
    }
    path, pdd = ship_confirmation("pinduoduo", shipped(carrier_code="ZTO"), {"ZTO": "115"})
    assert path == "/logistics.online.send"
    assert pdd["order_sn"] == "EXT-9"
    assert pdd["logistics_id"] == "115"
    assert pdd["tracking_number"] == "SF1234567890"


@pytest.mark.parametrize("kind", ["jd", "pinduoduo"])
def test_jd_and_pinduoduo_refuse_a_carrier_without_their_id(kind):
    with pytest.raises(UnmappedCarrier) as refused:
        ship_confirmation(kind, shipped(carrier_code="ZTO"), {"SF": "467"})
    assert (refused.value.kind, refused.value.carrier_code) == (kind, "ZTO")


@pytest.mark.parametrize("kind", ["shopify", "woocommerce", "taobao", "jd", "pinduoduo"])
def test_without_a_tracking_number_there_is_nothing_to_confirm(kind):
    assert ship_confirmation(kind, shipped(numbers=()), {"SF": "467"}) is None


def test_other_kinds_get_no_confirmation_and_unknown_carriers_keep_their_code():
    assert ship_confirmation("api", shipped()) is None
    assert ship_confirmation("other_shop", shipped()) is None
    assert company_code("taobao", shipped(carrier_code="", carrier="Local courier")) == (
        "LOCAL COURIER"
    )
