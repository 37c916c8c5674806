"""JD and Pinduoduo name carriers by their own numeric ids: a ship confirmation sends the id
set on the carrier's page, over real HTTP to the marketplace simulator (which refuses ids not
on the platform's list); a carrier without one is not sent, and the webhook log says why in
the reader's language until the id is set and the confirmation resent."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from oms.errors import ServiceError
from orders.choices import ChannelKind, WebhookEvent, WebhookStatus, WebhookTarget
from orders.intake import inbound, outbound
from orders.intake.confirmations import UnmappedCarrier, ship_confirmation
from orders.intake.platform_carriers import carrier_ids, platform_carrier_ids_set
from orders.intake.simulator import MarketplaceSimulator, SimulatorConfig
from orders.models import Order, PlatformCarrier
from shipping.models import Carrier
from tests.orders.conftest import Catalog
from tests.orders.test_inbound import channel, process_all

SKUS = ["TEA-LJ-250"]


@pytest.fixture
def simulator():
    running = MarketplaceSimulator(
        SimulatorConfig(skus=SKUS, seconds=0, unknown_sku_share=0, late_update_share=0)
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture
def marketplace_orders(db, simulator):
    """A JD and a Pinduoduo order, pulled from the simulator and placed."""
    Catalog().product(sku=SKUS[0])
    stores = {
        name: channel(f"{name}-sim", kind, endpoint=f"{simulator.url}/{name}/orders")
        for name, kind in (("jd", ChannelKind.JD), ("pinduoduo", ChannelKind.PINDUODUO))
    }
    for name, store in stores.items():
        simulator.add_marketplace_order(name)
        assert inbound.channel_pull(channel=store).stored == 1
    process_all()
    return {name: Order.objects.get(channel_id=store.code) for name, store in stores.items()}


def shipped(order, carrier_code, number):
    """The shipped payload as shipping prepares it (shipping.channel_events)."""
    return {
        "order": outbound.order_ref(order),
        "shipment": {
            "number": f"SH-{number}",
            "carrier": carrier_code,
            "carrier_code": carrier_code,
            "tracking_numbers": [number],
            "lines": [],
        },
    }


def confirm(order, carrier_code, number):
    queued = outbound.webhook_queue(
        order=order,
        event=WebhookEvent.SHIPPED,
        key=f"order.shipped:SH-{number}",
        payload=shipped(order, carrier_code, number),
    )
    [row] = [d for d in queued if d.target == WebhookTarget.CONFIRMATION]
    return row


def test_confirmations_send_the_platforms_carrier_id(marketplace_orders, simulator):
    platform_carrier_ids_set(actor=None, carrier_code="SF", ids={"jd": "467", "pinduoduo": "44"})
    jd_row = confirm(marketplace_orders["jd"], "SF", "SF100")
    pdd_row = confirm(marketplace_orders["pinduoduo"], "sf", "SF200")
    for row in (jd_row, pdd_row):
        assert outbound.deliver_due(row.pk) == WebhookStatus.SENT
    taken = dict(simulator.confirmations)
    assert taken["jd"]["logiCoprId"] == "467"
    assert taken["jd"]["orderId"] == marketplace_orders["jd"].external_reference
    assert taken["pinduoduo"]["logistics_id"] == "44"
    assert taken["pinduoduo"]["tracking_number"] == "SF200"


def test_a_wrong_id_is_refused_by_the_platform(marketplace_orders, simulator):
    platform_carrier_ids_set(actor=None, carrier_code="SF", ids={"jd": "999999"})
    row = confirm(marketplace_orders["jd"], "SF", "SF300")
    assert outbound.deliver_due(row.pk) == WebhookStatus.PENDING
    row.refresh_from_db()
    assert (row.last_status_code, row.last_error) == (400, "HTTP 400")
    assert simulator.confirmations == []


def test_an_unmapped_carrier_is_not_sent_and_the_log_says_why(
    marketplace_orders, simulator, client_for
):
    order = marketplace_orders["jd"]
    row = confirm(order, "ZTO", "ZT400")
    assert (row.status, row.attempts, row.path) == (WebhookStatus.FAILED, 0, "")
    assert outbound.deliver_due(row.pk) == "skipped"
    assert simulator.confirmations == []
    client = client_for("manager")
    page = client.get("/channels/webhooks/", {"channel": order.channel.pk}).content.decode()
    assert "carrier ZTO has no JD carrier id" in page
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/channels/webhooks/", {"channel": order.channel.pk}).content.decode()
    assert "承运商 ZTO 没有京东的承运商编号" in page
    # Resending before the id is set is refused with the same words; nothing is sent.
    with translation.override("en"), pytest.raises(ServiceError, match="ZTO has no JD"):
        outbound.webhook_resend(actor=None, delivery=row)
    platform_carrier_ids_set(actor=None, carrier_code="ZTO", ids={"jd": "1499"})
    outbound.webhook_resend(actor=None, delivery=row)
    assert outbound.deliver_due(row.pk) == WebhookStatus.SENT
    [(name, body)] = simulator.confirmations
    assert (name, body["logiCoprId"], body["logiNo"]) == ("jd", "1499", "ZT400")
    row.refresh_from_db()
    assert (row.path, row.last_error) == ("/pop.order.shipment", "")


def test_a_shipment_without_a_carrier_code_is_not_confirmed():
    payload = {"order": {"external_id": "1"}, "shipment": {"tracking_numbers": ["X1"]}}
    with pytest.raises(UnmappedCarrier, match=r"^unmapped_carrier:jd:$"):
        ship_confirmation("jd", payload, {"SF": "467"})
    # Taobao still takes its company codes.
    assert ship_confirmation("taobao", payload, {})[1]["company_code"] == ""


@pytest.mark.django_db
def test_the_carrier_page_edits_the_ids_and_refuses_bad_ones(client_for):
    client = client_for("logistics")
    carrier = Carrier.objects.create(code="YTO", name="圆通速递 YTO")
    form = {"code": "YTO", "name": "圆通速递 YTO", "active": "on", "tracking_kind": "manual"}
    answer = client.post(f"/carriers/{carrier.pk}/edit/", {**form, "jd_id": "JD-463"})
    assert answer.status_code == 422
    assert "digits only" in answer.content.decode()
    assert not PlatformCarrier.objects.exists()
    answer = client.post(
        f"/carriers/{carrier.pk}/edit/", {**form, "jd_id": "463", "pinduoduo_id": "85"}
    )
    assert answer.status_code == 302
    assert carrier_ids("jd") == {"YTO": "463"}
    assert carrier_ids("pinduoduo") == {"YTO": "85"}
    page = client.get(f"/carriers/{carrier.pk}/").content.decode()
    assert "463" in page
    assert "Pinduoduo shipping id" in page
    # A new code takes its ids along; an emptied id is removed.
    answer = client.post(
        f"/carriers/{carrier.pk}/edit/", {**form, "code": "YT", "jd_id": "463", "pinduoduo_id": ""}
    )
    assert answer.status_code == 302
    assert list(PlatformCarrier.objects.values_list("kind", "carrier_code", "platform_id")) == [
        ("jd", "YT", "463")
    ]
    with pytest.raises(ValidationError):
        platform_carrier_ids_set(actor=None, carrier_code="YT", ids={"jd": "46 3"})
    assert json.dumps(carrier_ids("jd")) == '{"YT": "463"}'
