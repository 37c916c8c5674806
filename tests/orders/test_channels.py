"""Sales channels are rows: the five first ones come from the migration, staff add one per
shop, an order's id is unique within its channel, and a platform's buyers hear from it."""

import re

import pytest
from django.core.exceptions import ValidationError

from oms.models import AuditLog, OutboxMessage
from orders import services
from orders.choices import ChannelCode, ChannelKind
from orders.intake.channels import channel_save, told_by_platform
from orders.models import Channel, Order
from orders.services import LineRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(username="mgr-channels", role="manager"))
    return client


@pytest.fixture
def stocked(catalog):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 50)
    return catalog.customer(email="buyer@example.com", preferred_channel="email"), product


def shop(code, kind=ChannelKind.SHOPIFY, **extra):
    return channel_save(
        actor=None, channel=None, data={"code": code, "name": code.title(), "kind": kind, **extra}
    )


def place(customer, product, channel, reference):
    return services.order_place(
        actor=None,
        customer=customer,
        lines=[LineRequest(product, 1)],
        channel=channel,
        external_reference=reference,
    )


def test_the_migration_made_the_five_first_channels_rows():
    kinds = dict(Channel.objects.values_list("code", "kind"))
    assert kinds == {
        "back_office": "back_office",
        "web_shop": "other_shop",
        "marketplace": "other_marketplace",
        "import": "import",
        "api": "api",
    }
    assert Order._meta.get_field("channel").column == "channel"  # the code, as before


def test_two_shops_may_send_the_same_order_id_and_each_gets_its_order(stocked):
    customer, product = stocked
    shop("shop-cn"), shop("shop-eu")
    cn = place(customer, product, "shop-cn", "#1001")
    eu = place(customer, product, "shop-eu", "#1001")
    again = place(customer, product, "shop-cn", "#1001")
    assert cn.pk != eu.pk
    assert again.pk == cn.pk
    assert Order.objects.filter(external_reference="#1001").count() == 2
    assert cn.channel_id == "shop-cn"


def test_an_unknown_channel_is_refused_and_nothing_is_written(stocked):
    customer, product = stocked
    with pytest.raises(ValidationError) as refused:
        place(customer, product, "nowhere", "X-1")
    assert "There is no channel nowhere." in str(refused.value)
    assert not Order.objects.exists()


def test_a_platform_tells_its_own_buyers_and_the_back_office_tells_ours(stocked):
    customer, product = stocked
    shop("tmall-flagship", ChannelKind.TAOBAO)
    place(customer, product, "tmall-flagship", "T-1")
    assert told_by_platform("tmall-flagship")
    assert not OutboxMessage.objects.exists()
    place(customer, product, ChannelCode.API, "A-1")
    assert OutboxMessage.objects.filter(event_code="order.confirmed").count() == 1


def test_code_and_kind_stay_once_created_and_the_secret_is_never_shown(manager_client):
    response = manager_client.post(
        "/channels/new/",
        {
            "code": "woo-main",
            "name": "Woo main shop",
            "kind": "woocommerce",
            "prices_include_tax": "on",
            "customer_group": "retail",
            "secret": "s3cret-key-value",
        },
    )
    channel = Channel.objects.get(code="woo-main")
    assert response.status_code == 302
    assert channel.secret == "s3cret-key-value"
    assert channel.prices_include_tax
    page = manager_client.get(f"/channels/{channel.pk}/").content.decode()
    assert "Woo main shop" in page
    assert "s3cret" not in page
    edit = manager_client.get(f"/channels/{channel.pk}/edit/").content.decode()
    assert "s3cret" not in edit
    # A disabled field keeps the stored value whatever is posted; an empty secret keeps it.
    manager_client.post(
        f"/channels/{channel.pk}/edit/",
        {"code": "other", "name": "Woo CN", "kind": "jd", "customer_group": "wholesale"},
    )
    channel.refresh_from_db()
    assert (channel.code, channel.kind, channel.name) == ("woo-main", "woocommerce", "Woo CN")
    assert channel.secret == "s3cret-key-value"
    assert channel.customer_group == "wholesale"
    logged = AuditLog.objects.filter(object_type="orders.channel").order_by("pk")
    assert [row.action for row in logged] == ["channel.create", "channel.secret", "channel.update"]
    assert "s3cret" not in str([row.changes for row in logged])


def test_a_token_is_shown_once_works_and_stops_when_revoked(manager_client, client, stocked):
    channel = shop("shop-tok")
    response = manager_client.post(
        f"/channels/{channel.pk}/tokens/new/", {"name": "sync", "scopes": ["orders:read"]}
    )
    row = channel.api_tokens.get()
    assert response.status_code == 302
    assert response["Location"] == f"/channels/{channel.pk}/tokens/{row.pk}/"
    shown = manager_client.get(response["Location"])
    assert shown["Cache-Control"] == "no-store"
    token = re.search(r'value="(oms_[^"]+)"', shown.content.decode()).group(1)
    # Shown once: the page again has no token, and the token is kept nowhere in clear.
    assert "oms_" not in manager_client.get(response["Location"]).content.decode()
    assert token not in str(list(channel.api_tokens.values()))
    assert token not in manager_client.get(f"/channels/{channel.pk}/").content.decode()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/orders", **auth).status_code == 200
    manager_client.post(f"/channels/{channel.pk}/tokens/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert client.get("/api/v1/orders", **auth).status_code == 401
    actions = AuditLog.objects.filter(object_type="orders.channel", object_id=str(channel.pk))
    assert {"channel.token_create", "channel.token_revoke"} <= set(
        actions.values_list("action", flat=True)
    )


def test_the_service_refuses_a_new_code_or_kind(stocked):
    channel = shop("shop-x")
    with pytest.raises(ValidationError):
        channel_save(actor=None, channel=channel, data={"kind": ChannelKind.JD})
    channel.refresh_from_db()
    assert channel.kind == ChannelKind.SHOPIFY


def test_a_switched_off_channel_is_not_offered_for_new_orders(manager_client, stocked):
    customer, _ = stocked
    channel = shop("shop-old")
    manager_client.post(f"/channels/{channel.pk}/deactivate/")
    channel.refresh_from_db()
    assert not channel.is_active
    form = manager_client.get("/orders/new/").content.decode()
    assert 'value="shop-old"' not in form
    assert 'value="web_shop"' in form
    response = manager_client.post(
        "/orders/new/", {"customer": customer.code, "channel": "shop-old"}
    )
    assert response.status_code == 422
    assert not Order.objects.exists()


def test_order_list_filters_by_channel_and_names_it(manager_client, stocked):
    customer, product = stocked
    shop("shop-cn")
    mine = place(customer, product, "shop-cn", "#7")
    other = place(customer, product, ChannelCode.API, "A-7")
    page = manager_client.get("/orders/?channel=shop-cn").content.decode()
    assert mine.number in page
    assert other.number not in page
    assert "Shop-Cn" in page
    detail = manager_client.get(f"/orders/{mine.number}/").content.decode()
    assert "Shop-Cn" in detail
