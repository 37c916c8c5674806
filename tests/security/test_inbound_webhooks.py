"""The shops' webhook endpoint and the inbound pages under attack: forged, tampered and
unsigned bodies, another shop's secret, replays, oversized and garbage bodies, floods; and
the mapping form with bad input, double submits and the wrong role."""

import json

import pytest
from django.urls import reverse

from orders.choices import ChannelKind
from orders.intake import inbound
from orders.intake.adapters import samples
from orders.intake.inbound_models import DeliveryStatus, InboundDelivery, SkuMapping
from orders.models import Order
from tests.factories import UserFactory
from tests.orders.conftest import Catalog
from tests.orders.test_inbound import SECRET, channel, post_webhook, process_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    Catalog().product(sku="CUP-01")
    return channel("shop-sec", ChannelKind.SHOPIFY)


def body_for(number=1):
    return json.dumps(samples.shopify(number, samples.BUYERS[0], [("CUP-01", 1, "59.90")])).encode()


def test_forged_tampered_and_foreign_signatures_store_nothing(client, shop):
    other = channel("woo-sec", ChannelKind.WOOCOMMERCE, secret="another-secret")
    body = body_for()
    tampered = body.replace(b"59.90", b"0.01")
    signed = inbound.signature(SECRET, body)
    for payload, headers in (
        (body, {}),
        (body, {"HTTP_X_SHOPIFY_HMAC_SHA256": ""}),
        (body, {"HTTP_X_SHOPIFY_HMAC_SHA256": "not base64 at all"}),
        (tampered, {"HTTP_X_SHOPIFY_HMAC_SHA256": signed}),
        (body, {"HTTP_X_SHOPIFY_HMAC_SHA256": inbound.signature(other.secret, body)}),
        # Shopify's header on a WooCommerce shop is no signature there.
        (body, {"HTTP_X_SHOPIFY_HMAC_SHA256": inbound.signature(other.secret, body), "to": other}),
    ):
        target = headers.pop("to", shop)
        answer = client.post(
            f"/intake/{target.code}/webhook/", payload, content_type="application/json", **headers
        )
        assert answer.status_code == 401
    assert not InboundDelivery.objects.exists()
    assert not Order.objects.exists()


def test_a_shop_without_a_secret_accepts_nothing(client):
    Catalog().product(sku="CUP-01")
    bare = channel("shop-bare", ChannelKind.SHOPIFY, secret="")
    assert post_webhook(client, bare, body_for(), secret="").status_code == 401
    assert not InboundDelivery.objects.exists()


def test_unknown_channels_and_non_webhook_kinds_are_404(client, shop):
    body = body_for()
    assert post_webhook(client, shop, body).status_code == 202
    for code in ("nope", "back_office", "api", "%E4%B8%AD", "x" * 300):
        answer = client.post(f"/intake/{code}/webhook/", body, content_type="application/json")
        assert answer.status_code == 404
    assert client.get(f"/intake/{shop.code}/webhook/").status_code == 405


def test_replays_and_resends_place_one_order(client, shop):
    body = body_for()
    assert post_webhook(client, shop, body, delivery="r-1").status_code == 202
    for _ in range(3):
        assert post_webhook(client, shop, body, delivery="r-1").status_code == 200
    assert post_webhook(client, shop, body, delivery="r-2").status_code == 202
    process_all()
    assert InboundDelivery.objects.count() == 2
    assert Order.objects.count() == 1


def test_garbage_bodies_are_stored_failed_never_500(client, shop):
    for number, body in enumerate(
        (
            b"\xff\xfe not utf-8",
            b"{not json",
            b"{not json\x00 with a NUL",
            b"[]",
            b'"text"',
            b"null",
            json.dumps({"id": 1}).encode(),
        )
    ):
        answer = post_webhook(client, shop, body, delivery=f"g-{number}")
        assert answer.status_code == 202, body
    process_all()
    statuses = set(InboundDelivery.objects.values_list("status", flat=True))
    assert statuses == {DeliveryStatus.FAILED}
    assert all(InboundDelivery.objects.values_list("error_code", flat=True))
    assert not Order.objects.exists()


def test_oversized_bodies_are_refused_before_reading(client, shop, settings):
    settings.OMS_INBOUND_MAX_BYTES = 2048
    body = body_for() + b" " * 4096
    assert post_webhook(client, shop, body).status_code == 413
    assert not InboundDelivery.objects.exists()


def test_a_flood_of_bad_signatures_is_answered_429(client, shop, settings):
    settings.OMS_INBOUND_BAD_SIGNATURES_PER_MINUTE = 3
    body = body_for()
    codes = [post_webhook(client, shop, body, secret="guess").status_code for _ in range(5)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]
    # Even a good signature waits out the minute from that address.
    assert post_webhook(client, shop, body).status_code == 429
    assert not InboundDelivery.objects.exists()


def test_too_many_webhooks_from_one_address_are_answered_429(client, shop, settings):
    settings.OMS_INBOUND_WEBHOOKS_PER_MINUTE = 2
    codes = [
        post_webhook(client, shop, body_for(n), delivery=f"f-{n}").status_code for n in range(3)
    ]
    assert codes == [202, 202, 429]
    assert InboundDelivery.objects.count() == 2


def waiting_delivery(client, shop):
    payload = samples.shopify(77, samples.BUYERS[1], [("SHOP-ONLY-SKU", 1, "10.00")])
    post_webhook(client, shop, json.dumps(payload).encode(), delivery="m-1")
    process_all()
    assert InboundDelivery.objects.get().status == DeliveryStatus.WAITING_FOR_MAPPING


def test_mapping_needs_the_right(client, shop):
    waiting_delivery(client, shop)
    client.force_login(UserFactory(username="seller", role="sales"))
    url = reverse("orders:unmapped_skus")
    assert client.get(url).status_code == 403
    answer = client.post(
        url, {"channel": shop.code, "platform_sku": "SHOP-ONLY-SKU", "product": "CUP-01"}
    )
    assert answer.status_code == 403
    assert not SkuMapping.objects.exists()
    delivery = InboundDelivery.objects.get()
    assert client.post(reverse("orders:inbound_retry", args=[delivery.pk])).status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {"channel": "nope", "platform_sku": "SHOP-ONLY-SKU", "product": "CUP-01"},
        {"channel": "shop-sec", "platform_sku": "SHOP-ONLY-SKU", "product": "NO-SUCH"},
        {"channel": "shop-sec", "platform_sku": "SHOP-ONLY-SKU", "product": ""},
        {"channel": "shop-sec", "platform_sku": "", "product": "CUP-01"},
        {"channel": "shop-sec", "platform_sku": "x" * 65, "product": "CUP-01"},
    ],
)
def test_bad_mapping_input_is_refused_with_a_message(client, shop, data):
    waiting_delivery(client, shop)
    client.force_login(UserFactory(username="boss", role="manager"))
    answer = client.post(reverse("orders:unmapped_skus"), data)
    assert answer.status_code == 400
    assert "is-invalid" in answer.content.decode() or answer.context is not None
    assert not SkuMapping.objects.exists()
    assert InboundDelivery.objects.get().status == DeliveryStatus.WAITING_FOR_MAPPING


def test_mapping_twice_maps_once_and_places_one_order(client, shop):
    waiting_delivery(client, shop)
    client.force_login(UserFactory(username="boss", role="manager"))
    data = {"channel": shop.code, "platform_sku": "SHOP-ONLY-SKU", "product": "CUP-01"}
    for _ in range(2):
        assert client.post(reverse("orders:unmapped_skus"), data).status_code == 302
    assert SkuMapping.objects.count() == 1
    process_all()
    assert Order.objects.count() == 1
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED
    # "Process again" on a processed delivery changes nothing.
    answer = client.post(reverse("orders:inbound_retry", args=[delivery.pk]), follow=True)
    assert "is processed" in answer.content.decode()
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert Order.objects.count() == 1


def test_nul_characters_in_a_signed_body_are_no_500(client, shop):
    payload = samples.shopify(91, samples.BUYERS[0], [("CUP-01", 1, "59.90")])
    payload["note"] = "请尽快\u0000发货"
    body = json.dumps(payload).encode()
    assert b"\\u0000" in body
    assert post_webhook(client, shop, body).status_code == 202
    process_all()
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error_params
    assert delivery.order.notes == "请尽快发货"
