"""The channel API's shipments: an order's parcels with carrier, tracking number and the
carrier's events, for its own channel only and only with the shipments scope."""

import pytest

from orders.choices import ChannelKind
from orders.intake.channels import channel_save
from orders.intake.tokens import token_create
from orders.services import LineRequest, order_place
from shipping import services
from shipping.tracking.services import tracking_event_record

pytestmark = pytest.mark.django_db


def test_shipments_with_tracking_for_the_orders_channel(shipping, client):
    shop = channel_save(
        actor=None, channel=None, data={"code": "shop-t", "name": "T", "kind": ChannelKind.SHOPIFY}
    )
    product = shipping.product("50.00", sku="SHIP-1")
    shipping.stock(product, shipping.shanghai, 5)
    order = order_place(
        actor=None,
        customer=shipping.customer(),
        lines=[LineRequest(product, 2)],
        channel="shop-t",
        external_reference="#T-1",
    )
    [packed] = shipping.packed(order)
    dispatched = services.shipment_dispatch(
        actor=None, shipment=packed, details=shipping.details(tracking="SF777")
    )
    tracking_event_record(
        actor=None, shipment=dispatched, status="in_transit", place="杭州转运中心"
    )
    _row, token = token_create(actor=None, channel=shop, name="s", scopes=["shipments:read"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.get("/api/v1/orders/%23T-1/shipments", **auth)
    assert response.status_code == 200, response.content
    [shipment] = response.json()
    assert shipment["tracking_number"] == "SF777"
    assert shipment["carrier"] == "SF Express"
    assert shipment["lines"] == [{"sku": "SHIP-1", "quantity": 2, "lot": ""}]
    assert [event["place"] for event in shipment["tracking"]] == ["杭州转运中心"]
    # Another channel's token sees no such order; a token without the scope is refused.
    other = channel_save(actor=None, channel=None, data={"code": "o", "name": "O", "kind": "api"})
    _row, foreign = token_create(actor=None, channel=other, name="o", scopes=["shipments:read"])
    foreign_auth = {"HTTP_AUTHORIZATION": f"Bearer {foreign}"}
    assert client.get("/api/v1/orders/%23T-1/shipments", **foreign_auth).status_code == 404
    _row, reader = token_create(actor=None, channel=shop, name="r", scopes=["orders:read"])
    reader_auth = {"HTTP_AUTHORIZATION": f"Bearer {reader}"}
    assert client.get("/api/v1/orders/%23T-1/shipments", **reader_auth).status_code == 403
