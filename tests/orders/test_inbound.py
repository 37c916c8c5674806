"""Inbound deliveries end to end: signed webhooks (Shopify, WooCommerce) stored once and
turned into orders; marketplace orders pulled over real HTTP by modified-time cursor; late
updates and duplicates placing nothing twice; unmapped platform SKUs waiting for staff."""

import json
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation

from oms.localserver import LocalServer
from orders.choices import ChannelKind
from orders.intake import inbound
from orders.intake.adapters import samples
from orders.intake.channels import channel_save
from orders.intake.inbound_errors import delivery_error_text
from orders.intake.inbound_models import (
    DeliveryStatus,
    InboundDelivery,
    InboundError,
    SkuMapping,
)
from orders.models import Order
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db
SECRET = "shpss_5f1c0c4d9b"
WANG, LI, ZHANG = samples.BUYERS[:3]


def channel(code, kind, **data):
    return channel_save(
        actor=None,
        channel=None,
        data={"code": code, "name": code, "kind": kind, "secret": SECRET, **data},
    )


@pytest.fixture
def products(db):
    catalog = Catalog()
    return {sku: catalog.product(sku=sku) for sku in ("TEA-LJ-250", "CUP-01")}


def post_webhook(client, shop, body: bytes, *, secret=SECRET, delivery="d-1"):
    if shop.kind == ChannelKind.SHOPIFY:
        headers = {
            "HTTP_X_SHOPIFY_HMAC_SHA256": inbound.signature(secret, body),
            "HTTP_X_SHOPIFY_WEBHOOK_ID": delivery,
            "HTTP_X_SHOPIFY_TOPIC": "orders/create",
        }
    else:
        headers = {
            "HTTP_X_WC_WEBHOOK_SIGNATURE": inbound.signature(secret, body),
            "HTTP_X_WC_WEBHOOK_DELIVERY_ID": delivery,
        }
    return client.post(
        f"/intake/{shop.code}/webhook/", body, content_type="application/json", **headers
    )


def process_all():
    for pk in InboundDelivery.objects.filter(status=DeliveryStatus.RECEIVED).values_list(
        "pk", flat=True
    ):
        inbound.delivery_process(delivery_id=pk)


def test_shopify_webhook_becomes_a_paid_order(client, products):
    shop = channel("shop-cn", ChannelKind.SHOPIFY)
    payload = samples.shopify(5001, WANG, [("TEA-LJ-250", 2, "199.00")], shipping="10.00")
    answer = post_webhook(client, shop, json.dumps(payload, ensure_ascii=False).encode())
    assert answer.status_code == 202
    delivery = InboundDelivery.objects.get()
    assert (delivery.status, delivery.kind, delivery.delivery_id) == ("received", "webhook", "d-1")
    process_all()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error_params
    order = delivery.order
    assert (order.channel_id, order.external_reference) == ("shop-cn", "5001")
    assert order.customer.name == "王芳"
    assert order.lines.get().unit_price == Decimal("199.00")
    assert order.ship_region == "ZJ"


def test_bad_signature_is_refused_and_nothing_stored(client, products):
    shop = channel("shop-cn", ChannelKind.SHOPIFY)
    body = json.dumps(samples.shopify(5002, WANG, [("CUP-01", 1, "59.90")])).encode()
    assert post_webhook(client, shop, body, secret="guessed").status_code == 401
    unsigned = client.post(f"/intake/{shop.code}/webhook/", body, content_type="application/json")
    assert unsigned.status_code == 401
    assert not InboundDelivery.objects.exists()
    assert not Order.objects.exists()


def test_replayed_delivery_id_places_one_order(client, products):
    shop = channel("woo-cn", ChannelKind.WOOCOMMERCE)
    body = json.dumps(samples.woocommerce(88, ZHANG, [("CUP-01", 3, "59.90")])).encode()
    assert post_webhook(client, shop, body, delivery="w-9").status_code == 202
    process_all()
    replay = post_webhook(client, shop, body, delivery="w-9")
    assert replay.status_code == 200
    assert replay.json()["message"] == "already received"
    # The same order under another delivery id (the shop resent it): stored, no second order.
    assert post_webhook(client, shop, body, delivery="w-10").status_code == 202
    process_all()
    assert InboundDelivery.objects.count() == 2
    assert Order.objects.count() == 1
    assert InboundDelivery.objects.get(delivery_id="w-10").error_code == InboundError.DUPLICATE


def test_body_over_the_limit_is_refused(client, settings, products):
    settings.OMS_INBOUND_MAX_BYTES = 1000
    shop = channel("shop-cn", ChannelKind.SHOPIFY)
    body = json.dumps({"id": 1, "note": "长" * 1000}).encode()
    assert post_webhook(client, shop, body).status_code == 413
    assert not InboundDelivery.objects.exists()


def test_bad_payload_is_stored_failed_with_the_reason(client, products):
    shop = channel("shop-cn", ChannelKind.SHOPIFY)
    payload = samples.shopify(5003, WANG, [("CUP-01", 1, "59.90")])
    payload["line_items"][0]["quantity"] = -1
    assert post_webhook(client, shop, json.dumps(payload).encode()).status_code == 202
    process_all()
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error_code == InboundError.BAD_PAYLOAD
    assert delivery.error_params == {"problem": "not_quantity", "field": "quantity", "max": 100000}
    with translation.override("en"):
        assert "quantity must be a whole number" in delivery_error_text(delivery)
    with translation.override("zh-hans"):
        assert "quantity 必须是" in delivery_error_text(delivery)
    assert not Order.objects.exists()


def test_unmapped_sku_waits_then_mapping_places_the_order(client, products):
    shop = channel("shop-cn", ChannelKind.SHOPIFY)
    payload = samples.shopify(5004, WANG, [("SHOPIFY-TEA-GIFT", 1, "299.00")])
    post_webhook(client, shop, json.dumps(payload).encode())
    process_all()
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.WAITING_FOR_MAPPING
    assert delivery.unmapped_skus == ["SHOPIFY-TEA-GIFT"]
    assert not Order.objects.exists()

    inbound.sku_map(
        actor=None, channel=shop, platform_sku="SHOPIFY-TEA-GIFT", product=products["TEA-LJ-250"]
    )
    assert InboundDelivery.objects.get().status == DeliveryStatus.RECEIVED
    process_all()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error_params
    assert delivery.order.lines.get().product == products["TEA-LJ-250"]
    assert SkuMapping.objects.get().platform_sku == "SHOPIFY-TEA-GIFT"


class Marketplace:
    """A marketplace's order API on a local port: orders by modified time, pages of two."""

    def __init__(self, orders, modified_field):
        self.orders, self.field, self.requests = orders, modified_field, []
        marketplace = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = parse_qs(urlsplit(self.path).query)
                marketplace.requests.append(query)
                since = query.get("modified_since", [""])[0]
                page = int(query.get("page", ["1"])[0])
                rows = sorted(
                    (o for o in marketplace.orders if o[marketplace.field] >= since),
                    key=lambda o: o[marketplace.field],
                )
                chunk = rows[(page - 1) * 2 : page * 2]
                body = json.dumps(
                    {"orders": chunk, "has_next": len(rows) > page * 2}, ensure_ascii=False
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.http = LocalServer(Handler).start()
        self.url = f"{self.http.url}/orders"

    def close(self):
        self.http.stop()


@pytest.fixture
def taobao_orders():
    return [
        samples.taobao(39001, WANG, [("TEA-LJ-250", 1, "188.00")], modified="2026-11-30 09:00:00"),
        samples.taobao(39002, LI, [("CUP-01", 2, "49.00")], modified="2026-11-30 09:05:00"),
        samples.taobao(39003, ZHANG, [("CUP-01", 1, "49.00")], modified="2026-11-30 09:10:00"),
    ]


def test_pull_reads_pages_by_cursor_and_places_each_order_once(products, taobao_orders):
    market = Marketplace(taobao_orders, "modified")
    try:
        store = channel("tmall-cn", ChannelKind.TAOBAO, endpoint=market.url)
        pulled = inbound.channel_pull(channel=store)
        assert (pulled.pages, pulled.stored) == (2, 3)
        store.refresh_from_db()
        assert store.cursor == "2026-11-30 09:10:00"
        process_all()
        assert Order.objects.count() == 3
        buyer = Order.objects.get(external_reference="39002")
        assert buyer.ship_phone == "139****5432"

        # Again: the cursor's own order comes back (inclusive) and is a duplicate.
        again = inbound.channel_pull(channel=store)
        assert (again.stored, again.duplicates) == (0, 1)
        assert market.requests[-1]["modified_since"] == ["2026-11-30 09:10:00"]

        # A late update of a taken order: a new delivery, marked already taken, no new order.
        late = dict(taobao_orders[0], modified="2026-11-30 11:00:00", status="TRADE_FINISHED")
        market.orders.append(late)
        assert inbound.channel_pull(channel=store).stored == 1
        process_all()
        update = InboundDelivery.objects.get(delivery_id="39001@2026-11-30 11:00:00")
        assert update.status == DeliveryStatus.PROCESSED
        assert update.error_code == InboundError.DUPLICATE
        assert update.order.external_reference == "39001"
        assert Order.objects.count() == 3
    finally:
        market.close()


def test_pull_of_an_unreachable_marketplace_keeps_the_cursor(products):
    store = channel(
        "jd-cn",
        ChannelKind.JD,
        endpoint="http://127.0.0.1:9/orders",  # discard: refused
    )
    with pytest.raises(inbound.PullFailed):
        inbound.channel_pull(channel=store)
    store.refresh_from_db()
    assert store.cursor == ""
    assert not InboundDelivery.objects.exists()


@pytest.mark.parametrize(
    ("kind", "build", "field"),
    [
        (ChannelKind.JD, samples.jd, "modified"),
        (ChannelKind.PINDUODUO, samples.pinduoduo, "updated_at"),
    ],
)
def test_jd_and_pinduoduo_pulls(products, kind, build, field):
    orders = [
        build(
            7001 if kind == ChannelKind.JD else "261130-7001",
            WANG,
            [("CUP-01", 1, "45.00")],
            modified="2026-11-30 10:00:00",
        ),
        build(
            7002 if kind == ChannelKind.JD else "261130-7002",
            LI,
            [("TEA-LJ-250", 1, "180.00")],
            modified="2026-11-30 10:01:00",
        ),
    ]
    market = Marketplace(orders, field)
    try:
        store = channel(f"{kind}-cn", kind, endpoint=market.url)
        assert inbound.channel_pull(channel=store).stored == 2
        process_all()
        assert Order.objects.filter(channel_id=store.code).count() == 2
        assert {d.status for d in InboundDelivery.objects.all()} == {DeliveryStatus.PROCESSED}
    finally:
        market.close()


def test_catch_up_processes_what_no_worker_took(client, products):
    from datetime import timedelta

    from django.utils import timezone

    shop = channel("shop-cn", ChannelKind.SHOPIFY)
    post_webhook(
        client, shop, json.dumps(samples.shopify(5100, WANG, [("CUP-01", 1, "59.90")])).encode()
    )
    assert inbound.deliveries_catch_up() == 0  # too young: a worker may still be on it
    InboundDelivery.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    assert inbound.deliveries_catch_up() == 1
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert Order.objects.count() == 1


def test_process_again_after_the_cause_is_fixed(client, products):
    from orders.intake.channels import channel_set_active

    shop = channel("shop-cn", ChannelKind.SHOPIFY)
    channel_set_active(actor=None, channel=shop, active=False)
    post_webhook(
        client, shop, json.dumps(samples.shopify(5200, LI, [("CUP-01", 1, "59.90")])).encode()
    )
    process_all()
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error_code == InboundError.REFUSED
    # Worded in each language when it was refused; each reader sees their own.
    with translation.override("en"):
        assert "switched off" in delivery_error_text(delivery)
    with translation.override("zh-hans"):
        assert "已停用" in delivery_error_text(delivery)
    channel_set_active(actor=None, channel=shop, active=True)
    inbound.delivery_retry(actor=None, delivery=delivery)
    process_all()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PROCESSED, 1)
    assert delivery.order.external_reference == "5200"


def test_deliveries_list_words_the_error_in_the_readers_language_and_filters_by_it(
    client_for, products
):
    shop = channel("shop-cn", ChannelKind.SHOPIFY)
    bad = samples.shopify(5301, WANG, [("CUP-01", 1, "59.90")])
    bad["line_items"][0]["price"] = "1.234"
    waiting = samples.shopify(5302, WANG, [("NO-SUCH-SKU", 1, "9.90")])
    for number, payload in enumerate((bad, waiting)):
        inbound.delivery_process(
            delivery_id=inbound.delivery_store(shop, f"e-{number}", "webhook", payload).delivery.pk
        )
    client = client_for("manager")
    page = client.get("/intake/deliveries/", {"error_code": "bad_payload"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Bad payload: price has more than two decimals." in text
    assert "NO-SUCH-SKU" not in text
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/intake/deliveries/", {"error_code": "unknown_sku"})
    text = page.content.decode()
    assert "平台 SKU NO-SUCH-SKU 没有对应的商品" in text
    assert "小数超过两位" not in text
    detail = client.get(InboundDelivery.objects.get(delivery_id="e-0").get_absolute_url())
    assert "price 的小数超过两位" in detail.content.decode()
    # A code that is not one of the kinds is a filter error, not a 500.
    assert client.get("/intake/deliveries/", {"error_code": "nope"}).status_code in (200, 400)
