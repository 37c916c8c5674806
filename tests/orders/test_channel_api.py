"""The channel API: a shop creates orders (idempotently), reads them back, follows their
changes with a cursor and asks to cancel; its token sees only its own channel."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Customer
from orders.choices import ChannelKind, OrderStatus
from orders.intake.channels import channel_save
from orders.intake.tokens import token_create
from orders.models import ChannelBuyer, Order

pytestmark = pytest.mark.django_db
ALL_SCOPES = ["orders:write", "orders:read", "shipments:read"]


@pytest.fixture
def shop():
    return channel_save(
        actor=None,
        channel=None,
        data={"code": "shop-cn", "name": "Shop CN", "kind": ChannelKind.SHOPIFY},
    )


@pytest.fixture
def api(client, shop):
    _row, token = token_create(actor=None, channel=shop, name="sync", scopes=ALL_SCOPES)

    class Api:
        def __init__(self, token):
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

        def post(self, path, body, **headers):
            return client.post(
                f"/api/v1{path}",
                json.dumps(body),
                content_type="application/json",
                **self.headers,
                **headers,
            )

        def get(self, path, **params):
            return client.get(f"/api/v1{path}", params, **self.headers)

    return Api(token)


@pytest.fixture
def goods(catalog):
    lamp = catalog.product("100.00", sku="LAMP-1")
    catalog.stock(lamp, catalog.shanghai, 50)
    return catalog.customer(code="C-API-1"), lamp


def body(external_id="#1001", **extra):
    return {
        "external_id": external_id,
        "customer_code": "C-API-1",
        "lines": [{"sku": "LAMP-1", "quantity": 2}],
        **extra,
    }


def test_create_then_the_same_id_again_answers_the_first_order(api, goods):
    first = api.post("/orders", body())
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["channel"] == "shop-cn"
    assert data["external_id"] == "#1001"
    assert data["status"] == OrderStatus.ALLOCATED
    assert data["lines"][0]["sku"] == "LAMP-1"
    again = api.post("/orders", body(lines=[{"sku": "LAMP-1", "quantity": 9}]))
    assert again.status_code == 200
    assert again.json()["number"] == data["number"]
    assert again.json()["lines"][0]["quantity"] == 2  # untouched
    assert Order.objects.count() == 1


def test_an_idempotency_key_replays_its_answer_and_refuses_another_body(api, goods):
    key = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    first = api.post("/orders", body(), **key)
    replay = api.post("/orders", body(), **key)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    other = api.post("/orders", body(external_id="#1002"), **key)
    assert other.status_code == 409
    assert "another request body" in other.json()["detail"]
    assert Order.objects.count() == 1


def test_a_marketplace_buyer_becomes_a_customer_once_with_the_phone_as_given(api, goods):
    order = {
        "external_id": "TB-1",
        "buyer": {"buyer_id": "tb_nick_01", "name": "小王", "phone": "138****5678"},
        "ship_to": {
            "recipient": "王*",
            "phone": "138****5678",
            "region": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "street": "文三路 1 号",
        },
        "lines": [
            {"sku": "LAMP-1", "quantity": 1, "unit_price": "88.00", "tax_rate": "13"},
        ],
        "prices_include_tax": True,
    }
    response = api.post("/orders", order)
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(code=response.json()["customer_code"])
    assert customer.name == "小王"
    assert customer.phone == "138****5678"
    assert customer.region == "ZJ"
    assert response.json()["total"] == "88.00"  # the channel's gross price, not ours
    second = api.post("/orders", {**order, "external_id": "TB-2"})
    assert second.json()["customer_code"] == customer.code
    assert ChannelBuyer.objects.count() == 1
    assert customer.addresses.count() == 1


def test_bad_orders_are_refused_with_the_field_and_write_nothing(api, goods):
    cases = [
        body(lines=[{"sku": "NOPE", "quantity": 1}]),
        body(customer_code="C-NOBODY"),
        body(lines=[{"sku": "LAMP-1", "quantity": 0}]),
        body(lines=[{"sku": "LAMP-1", "quantity": 1, "unit_price": "9.1234567891"}]),
        body(customer_code="", buyer=None),
    ]
    for case in cases:
        response = api.post("/orders", case)
        assert response.status_code == 422, (case, response.content)
    assert not Order.objects.exists()
    assert Customer.objects.count() == 1


def test_read_by_number_or_id_and_never_another_channels(api, goods, client):
    number = api.post("/orders", body()).json()["number"]
    assert api.get(f"/orders/{number}").json()["external_id"] == "#1001"
    assert api.get("/orders/%231001").json()["number"] == number
    other = channel_save(
        actor=None, channel=None, data={"code": "shop-eu", "name": "EU", "kind": "shopify"}
    )
    _row, token = token_create(actor=None, channel=other, name="eu", scopes=ALL_SCOPES)
    foreign = client.get(f"/api/v1/orders/{number}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert foreign.status_code == 404


def test_the_change_feed_pages_with_its_cursor(api, goods):
    numbers = [api.post("/orders", body(f"#F{n}")).json()["number"] for n in range(3)]
    # Changes of the last seconds may still be committing: the feed shows settled ones.
    assert api.get("/orders").json()["items"] == []
    Order.objects.update(updated_at=timezone.now() - timedelta(minutes=1))
    first = api.get("/orders", limit=2).json()
    assert [o["number"] for o in first["items"]] == numbers[:2]
    rest = api.get("/orders", limit=2, cursor=first["next_cursor"]).json()
    assert [o["number"] for o in rest["items"]] == numbers[2:]
    empty = api.get("/orders", cursor=rest["next_cursor"]).json()
    assert empty == {"items": [], "next_cursor": rest["next_cursor"]}


def test_a_cancel_request_cancels_or_says_why_not(api, goods):
    number = api.post("/orders", body()).json()["number"]
    response = api.post(f"/orders/{number}/cancel", {"reason": "buyer changed their mind"})
    assert response.status_code == 200
    assert response.json()["status"] == OrderStatus.CANCELLED
    again = api.post(f"/orders/{number}/cancel", {"reason": "again"})
    assert again.status_code == 409
    assert again.json()["detail"]


def test_the_schema_and_docs_are_served_from_our_own_files(client, shop):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/orders", "/api/v1/orders/{ref}", "/api/v1/orders/{ref}/cancel"} <= set(paths)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert "https://" not in html
