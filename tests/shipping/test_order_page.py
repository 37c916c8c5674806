"""The customer's order page (/track/<token>/) and the staff's customer link on the order page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oms.models import AuditLog
from orders import services as order_services
from orders.models import Order
from shipping import services
from shipping.permissions import ShipmentAction
from shipping.tracking.adapters import CarrierEvent
from shipping.tracking.services import tracking_event_record, tracking_events_apply
from shipping.tracking.statuses import TrackingSource, TrackingStatus
from tests.factories import UserFactory


@pytest.fixture
def dispatched(shipping):
    """An order of two lines in one shipment, dispatched by a named warehouse user, then in
    transit and out for delivery, with staff notes the customer must not see."""
    lamp = shipping.product(
        "600.00", sku="CL-7001", name="星空吸顶灯 48W", name_en="Starry ceiling lamp 48W"
    )
    bulb = shipping.product("20.00", sku="BU-7002", name="LED球泡 9W", name_en="LED bulb 9W")
    order = shipping.allocated_order(
        (lamp, 2),
        (bulb, 10),
        stock=[(lamp, shipping.shanghai, 10), (bulb, shipping.shanghai, 50)],
        customer=shipping.customer(name="杭州明辉灯饰", phone="13812345678"),
    )
    clerk = UserFactory(username="wang.clerk", role="admin")
    [shipment] = shipping.packed(order, actor=clerk)
    services.shipment_dispatch(
        actor=clerk,
        shipment=shipment,
        details=shipping.details("SF4455667788", note="INTERNAL: loaded on van 3"),
    )
    for action in (ShipmentAction.IN_TRANSIT, ShipmentAction.OUT_FOR_DELIVERY):
        services.shipment_record_progress(
            actor=clerk, shipment=shipment, action=action, note="INTERNAL: carrier hotline"
        )
    order.refresh_from_db()
    return order


def page_url(order: Order) -> str:
    return f"/track/{order_services.order_public_token(order)}/"


def test_the_page_shows_status_lines_totals_and_parcels_in_customer_words(client, dispatched):
    order = dispatched
    response = client.get(page_url(order), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert order.number in html
    assert "On its way" in html  # the order's in_transit, in a customer's words
    assert "Out for delivery" in html
    assert "SF Express" in html
    assert "SF4455667788" in html
    assert "Expected delivery" in html
    assert "Starry ceiling lamp 48W" in html
    assert "CL-7001" in html
    assert "¥1,400.00" in html or "1,400.00" in html  # 2 × 600 + 10 × 20
    # Progress newest first: out for delivery, on its way, handed to the carrier.
    assert html.index("Out for delivery</span>") < html.index("Handed to SF Express")
    assert html.index(">On its way<") < html.index("Handed to SF Express")
    # Nothing for staff eyes: names, notes, costs, internal words, the full phone.
    for secret in ("wang.clerk", "INTERNAL", "13812345678", "Picking", "cost"):
        assert secret not in html, secret
    assert "138****5678" in html


def test_the_page_speaks_chinese_by_browser_and_by_the_switch(client, dispatched):
    url = page_url(dispatched)
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in zh
    assert "星空吸顶灯 48W" in zh
    assert "运单号" in zh
    switched = client.get(url + "?lang=en", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en">' in switched.content.decode()
    # The choice sticks for the next visit, whatever the browser says.
    assert switched.cookies["django_language"].value == "en"
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in again


def test_an_order_not_shipped_yet_says_so(client, shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 5)])
    html = client.get(page_url(order), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confirmed" in html
    assert "Nothing has been shipped yet" in html
    assert 'aria-current="step"' in html


def test_staff_share_regenerate_and_revoke_the_link(client_for, dispatched):
    order = dispatched
    Order.objects.filter(pk=order.pk).update(public_token=None)
    staff = client_for("sales")
    detail = staff.get(f"/orders/{order.number}/").content.decode()
    assert "Create customer link" in detail
    staff.post(f"/orders/{order.number}/customer-link/share/")
    order.refresh_from_db()
    first = order.public_token
    assert first
    assert len(first) == 32
    detail = staff.get(f"/orders/{order.number}/").content.decode()
    assert f"http://testserver/track/{first}/" in detail
    assert 'data-confirm="' in detail  # regenerate and revoke ask first

    staff.post(f"/orders/{order.number}/customer-link/regenerate/")
    order.refresh_from_db()
    assert order.public_token not in (None, first)
    staff.post(f"/orders/{order.number}/customer-link/revoke/")
    order.refresh_from_db()
    assert order.public_token is None
    actions = list(
        AuditLog.objects.filter(object_id=str(order.pk), action__startswith="order.customer_link")
        .order_by("id")
        .values_list("action", flat=True)
    )
    # The dispatch message made the first link; staff made the second after it was cleared.
    assert actions[-3:] == [
        "order.customer_link_create",
        "order.customer_link_regenerate",
        "order.customer_link_revoke",
    ]
    # The audit log never holds the token itself.
    assert not AuditLog.objects.filter(changes__icontains=first).exists()
    # A new link when one is needed again: never an earlier one.
    assert order_services.order_public_token(order) not in (first, None)


def test_roles_that_do_not_talk_to_customers_cannot_manage_links(client_for, dispatched):
    order = dispatched
    warehouse = client_for("warehouse")
    assert "customer-link" not in warehouse.get(f"/orders/{order.number}/").content.decode()
    token = order_services.order_public_token(order)
    assert warehouse.post(f"/orders/{order.number}/customer-link/regenerate/").status_code == 403
    order.refresh_from_db()
    assert order.public_token == token


def test_a_token_is_made_once_even_when_asked_for_twice(shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 5)])
    stale = Order.objects.get(pk=order.pk)
    first = order_services.order_public_token(order)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", first)
    assert order_services.order_public_token(stale) == first  # the stale copy reads the winner


def test_the_page_reads_a_fixed_number_of_queries(client, dispatched, shipping):
    """Order, lines with products, shipments, their events, tracking and lines with products,
    the order's timeline, billing's payment section (invoices, credit notes, two sums) and
    after-sales' returns card (the returns, what was delivered per line, the lines): however
    many lines and parcels. (tests/shipping/test_public_page_queries.py pins it for
    5 parcels with 50 tracking events, and the delivery and rating sections.)"""
    url = page_url(dispatched)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    near = [shipping.product("5.00") for _ in range(4)]
    far = shipping.product("5.00", sku="CL-7003")
    bigger = shipping.allocated_order(
        *[(product, 1) for product in [*near, far]],
        stock=[(p, shipping.shanghai, 5) for p in near] + [(far, shipping.guangzhou, 5)],
    )
    parcels = shipping.packed(bigger)
    assert len(parcels) == 2
    for number, parcel in enumerate(parcels):
        services.shipment_dispatch(
            actor=None, shipment=parcel, details=shipping.details(f"SF88000000{number}")
        )
    url = page_url(bigger)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few) <= 16
    assert len(many) == len(few)


def test_the_carriers_scans_show_with_their_place_and_words_newest_first(client, shipping):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 5)])
    [shipment] = shipping.packed(order)
    shipment = services.shipment_dispatch(
        actor=None, shipment=shipment, details=shipping.details("SF3300000001")
    )
    start = shipment.dispatched_at
    scans = [
        ("0", TrackingStatus.IN_TRANSIT, 3, "杭州市", "快件已到达【杭州转运中心】"),
        ("5", TrackingStatus.OUT_FOR_DELIVERY, 20, "杭州市西湖区", "快递员正在为您派件"),
    ]
    tracking_events_apply(
        shipment=shipment,
        source=TrackingSource.POLL,
        events=[
            CarrierEvent("SF3300000001", start + timedelta(hours=h), code, status, place, words)
            for code, status, h, place, words in scans
        ],
    )
    # Staff type in a failed attempt with an internal note: its words stay inside.
    tracking_event_record(
        actor=UserFactory(username="desk.zhou", role="logistics"),
        shipment=shipment,
        status=TrackingStatus.FAILED_ATTEMPT,
        note="INTERNAL customer rude on the phone",
    )
    html = client.get(page_url(order), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "快件已到达【杭州转运中心】" in html
    assert "杭州市西湖区" in html
    assert html.index("快递员正在为您派件") < html.index("快件已到达【杭州转运中心】")
    assert "INTERNAL" not in html
    assert "desk.zhou" not in html
    # Our own status changes after the carrier's news are not repeated beside it.
    # (The order's own timeline below the parcels tells the hand-over once more.)
    parcels = html[: html.index("data-order-timeline")]
    assert parcels.count("Handed to") + parcels.count("已交") == 1
