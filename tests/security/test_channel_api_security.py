"""The channel API refuses what an attacker tries: no token, a revoked or forged one, a
missing scope, another channel's orders, a huge body, a bad cursor, malformed JSON."""

import json

import pytest
from django.test import override_settings

from orders.choices import ChannelKind
from orders.intake.channels import channel_save
from orders.intake.tokens import token_create, token_revoke
from orders.models import ApiToken, Order
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db):
    return Catalog()


@pytest.fixture
def shop():
    return channel_save(
        actor=None, channel=None, data={"code": "shop-s", "name": "S", "kind": ChannelKind.SHOPIFY}
    )


def token_for(shop, scopes=("orders:write", "orders:read")):
    return token_create(actor=None, channel=shop, name="t", scopes=list(scopes))


def post(client, token, body, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        "/api/v1/orders",
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        **headers,
        **extra,
    )


ORDER = {"external_id": "X1", "customer_code": "NOBODY", "lines": [{"sku": "A", "quantity": 1}]}


def test_no_token_a_forged_one_and_a_revoked_one_get_401(client, shop):
    row, token = token_for(shop)
    assert post(client, None, ORDER).status_code == 401
    assert post(client, token[:-2] + "xx", ORDER).status_code == 401
    assert post(client, "oms_nothing", ORDER).status_code == 401
    assert client.get("/api/v1/orders/X1", HTTP_AUTHORIZATION="Basic abc").status_code == 401
    token_revoke(actor=None, token=row)
    assert post(client, token, ORDER).status_code == 401
    assert not Order.objects.exists()


def test_the_token_is_stored_only_as_a_digest(shop):
    row, token = token_for(shop)
    stored = ApiToken.objects.filter(pk=row.pk).values().get()
    assert token not in json.dumps(stored, default=str)
    secret = token.split("_", 2)[2]  # oms_<prefix>_<secret>; the secret may hold "_" itself
    assert secret not in json.dumps(stored, default=str)


def test_a_token_without_the_scope_gets_403(client, shop):
    _row, reader = token_for(shop, scopes=["orders:read"])
    response = post(client, reader, ORDER)
    assert response.status_code == 403
    assert "orders:write" in response.json()["detail"]
    _row, writer = token_for(shop, scopes=["orders:write"])
    listing = client.get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {writer}")
    assert listing.status_code == 403


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_000)
def test_a_body_over_the_limit_gets_413_and_nothing_is_written(client, shop):
    _row, token = token_for(shop)
    big = {**ORDER, "notes": "x" * 1_900, "lines": [{"sku": "A", "quantity": 1}] * 20}
    assert post(client, token, big).status_code == 413
    assert not Order.objects.exists()


def test_malformed_json_a_bad_cursor_and_bad_numbers_get_4xx_not_500(client, shop):
    _row, token = token_for(shop)
    assert post(client, token, "{not json").status_code in (400, 422)
    assert (
        post(client, token, {**ORDER, "lines": [{"sku": "A", "quantity": "1e9"}]}).status_code
        == 422
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for cursor in ("%%%", "bm90LWEtY3Vyc29y", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5LjE"):
        response = client.get("/api/v1/orders", {"cursor": cursor}, **auth)
        assert response.status_code == 422, cursor
    assert client.get("/api/v1/orders", {"limit": 10_000}, **auth).status_code == 422
    assert not Order.objects.exists()


def test_a_switched_off_channel_takes_no_order(client, shop, catalog):
    product = catalog.product("10.00", sku="A")
    catalog.stock(product, catalog.shanghai, 5)
    catalog.customer(code="C-OFF")
    _row, token = token_for(shop)
    shop.is_active = False
    shop.save()
    response = post(client, token, {**ORDER, "customer_code": "C-OFF"})
    assert response.status_code == 422
    assert "switched off" in json.dumps(response.json(), ensure_ascii=False)
    assert not Order.objects.exists()


def test_a_nul_character_in_any_text_of_the_body_gets_422_and_nothing_is_written(
    client, shop, catalog
):
    """PostgreSQL text cannot hold NUL; JSON can (\\u0000). Found by the schema fuzz: a 500."""
    product = catalog.product("10.00", sku="A")
    catalog.stock(product, catalog.shanghai, 5)
    catalog.customer(code="C-NUL")
    _row, token = token_for(shop)
    good = {**ORDER, "customer_code": "C-NUL"}
    for body in (
        {**good, "external_id": "X\u00001"},
        {**good, "notes": "a\u0000b"},
        {**good, "lines": [{"sku": "A\u0000", "quantity": 1}]},
        {**good, "buyer": {"buyer_id": "b\u00001"}},
    ):
        response = post(client, token, body)
        assert response.status_code == 422, body
        assert "NUL" in json.dumps(response.json())
    cancel = client.post(
        "/api/v1/orders/X1/cancel",
        json.dumps({"reason": "\u0000"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert cancel.status_code == 422
    assert not Order.objects.exists()
    assert post(client, token, good).status_code == 201
