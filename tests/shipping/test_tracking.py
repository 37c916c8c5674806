"""Tracking: pushes, polls and staff's news become tracking events, stored once, and move
shipments (and their orders) by the latest event, never back from a terminal state."""

import json
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from oms.models import AuditLog, OutboxMessage
from oms.resilience import RateLimit
from orders.models import Order
from shipping import hooks, services
from shipping.models import ReceivedCallback, Shipment, ShipmentEvent, TrackingEvent
from shipping.permissions import ShipmentError
from shipping.tracking import kuaidi100, webhook
from shipping.tracking.adapters import TrackingUnavailable
from shipping.tracking.polling import tracking_poll, tracking_poll_plan
from shipping.tracking.services import breaker_for, callback_process, tracking_event_record
from shipping.tracking.subscriptions import tracking_subscribe
from tests.helpers import queries_of
from tests.shipping.kuaidi100_server import FakeKuaidi100, push_param
from tests.shipping.tracking_helpers import (
    CUSTOMER,
    KEY,
    SALT,
    dispatch,
    kuaidi100_carrier,
    post_push,
    process_received,
    webhook_carrier,
)

CHINA = ZoneInfo("Asia/Shanghai")


def moment(hours_ago: float) -> str:
    """A Kuaidi100 time (China's clock) some hours before now."""
    return (timezone.now().astimezone(CHINA) - timedelta(hours=hours_ago)).strftime(
        "%Y-%m-%d %H:%M:%S"
    )


def fresh(shipment: Shipment) -> Shipment:
    return Shipment.objects.select_related("order").get(pk=shipment.pk)


@pytest.fixture
def carrier(db):
    return kuaidi100_carrier()


@pytest.fixture
def shipment(shipping, carrier):
    return dispatch(shipping, carrier, "KD100001")


def test_kuaidi100_codes_normalise_to_statuses(carrier):
    adapter = kuaidi100.Kuaidi100Adapter(carrier)
    expected = {
        "0": "in_transit",
        "1": "in_transit",
        "101": "info_received",
        "5": "out_for_delivery",
        "501": "available_for_pickup",
        "3": "delivered",
        "304": "delivered",
        "2": "exception",
        "201": "failed_attempt",
        "202": "failed_attempt",
        "4": "returned",
        "6": "returning",
        "14": "returning",
        "401": "cancelled",
        "9999": "pending",
    }
    assert {code: adapter.normalise(code) for code in expected} == expected


def test_a_push_is_stored_answered_and_applied(client, shipment, carrier):
    param = push_param(
        "KD100001",
        [
            (moment(5), "1", "上海市", "快递员已揽件"),
            (moment(3), "0", "杭州转运中心", "已到达杭州转运中心"),
            (moment(1), "5", "杭州市西湖区", "快递员正在派件"),
        ],
    )
    response = post_push(client, carrier, param)
    assert response.status_code == 200
    assert response.json() == {"result": True, "returnCode": "200", "message": "成功"}
    row = ReceivedCallback.objects.get()
    assert (row.state, row.payload) == ("received", param)
    assert process_received() == ["processed"]
    row.refresh_from_db()
    assert row.events_stored == 3
    events = list(TrackingEvent.objects.filter(shipment=shipment))  # newest first
    assert [(e.raw_code, e.status, e.source) for e in events] == [
        ("5", "out_for_delivery", "push"),
        ("0", "in_transit", "push"),
        ("1", "in_transit", "push"),
    ]
    assert events[1].place == "杭州转运中心"
    shipment = fresh(shipment)
    assert shipment.status == "out_for_delivery"
    assert shipment.order.status == "in_transit"
    # Processing it again changes nothing.
    assert callback_process(callback_id=row.pk) == "skipped"


def test_the_same_push_twice_is_stored_once(client, shipment, carrier):
    first = [(moment(3), "0", "上海市", "运输中")]
    param = push_param("KD100001", first)
    assert post_push(client, carrier, param).status_code == 200
    assert post_push(client, carrier, param).status_code == 200
    assert ReceivedCallback.objects.count() == 1
    # Kuaidi100 sends the whole history each time: known events are not stored again.
    post_push(client, carrier, push_param("KD100001", [*first, (moment(1), "5", "", "派件")]))
    assert ReceivedCallback.objects.count() == 2
    process_received()
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2
    assert list(
        ReceivedCallback.objects.order_by("pk").values_list("events_stored", flat=True)
    ) == [
        1,
        1,
    ]


def test_out_of_order_events_never_move_a_terminal_shipment_back(client, shipment, carrier):
    heard = []
    hooks.shipment_delivered.append(lambda s, actor: heard.append(s.number))
    try:
        post_push(
            client,
            carrier,
            push_param(
                "KD100001", [(moment(6), "0", "", "运输中"), (moment(2), "3", "杭州", "已签收")]
            ),
        )
        process_received()
        assert fresh(shipment).status == "delivered"
        # Late news: an older "out for delivery", and even a newer "in transit".
        post_push(client, carrier, push_param("KD100001", [(moment(4), "5", "", "派件中")]))
        post_push(client, carrier, push_param("KD100001", [(moment(1), "0", "", "错误扫描")]))
        process_received()
    finally:
        hooks.shipment_delivered.pop()
    shipment = fresh(shipment)
    assert shipment.status == "delivered"
    assert shipment.order.status == "delivered"
    assert heard == [shipment.number]  # the delivered hook fired once
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 4


def test_the_latest_event_decides_not_the_latest_arrival(client, shipment, carrier):
    post_push(client, carrier, push_param("KD100001", [(moment(1), "5", "", "派件中")]))
    post_push(client, carrier, push_param("KD100001", [(moment(5), "0", "", "运输中")]))
    process_received()
    assert fresh(shipment).status == "out_for_delivery"


@pytest.mark.parametrize(
    ("code", "shipment_status", "order_status", "fulfilment"),
    [
        ("4", "returned", "shipped", "returned"),
        ("6", "returned", "shipped", "returned"),
        ("14", "returned", "shipped", "returned"),
        ("501", "out_for_delivery", "in_transit", "fulfilled"),
        ("201", "exception", "in_transit", "fulfilled"),
    ],
)
def test_codes_move_shipment_and_order(
    client, shipment, carrier, code, shipment_status, order_status, fulfilment
):
    post_push(client, carrier, push_param("KD100001", [(moment(1), code, "", "")]))
    process_received()
    shipment = fresh(shipment)
    assert shipment.status == shipment_status
    assert (shipment.order.status, shipment.order.fulfilment_status) == (order_status, fulfilment)


def test_garbage_json_is_recorded_as_failed_and_answered_400(client, shipment, carrier):
    response = post_push(client, carrier, "{not json")
    assert response.status_code == 400
    assert response.json()["result"] is False
    row = ReceivedCallback.objects.get()
    assert (row.state, row.failure) == ("failed", "bad_payload")
    assert "not JSON" in row.detail
    for param in ('{"lastResult": 5}', '{"lastResult": {"nu": "KD1", "data": [{"time": "x"}]}}'):
        assert post_push(client, carrier, param).status_code == 400
    assert not TrackingEvent.objects.exists()
    assert process_received() == []


def test_an_unknown_tracking_number_is_answered_and_recorded_as_failed(client, shipment, carrier):
    response = post_push(client, carrier, push_param("NOPE-404", [(moment(1), "0", "", "")]))
    assert response.status_code == 200
    assert process_received() == ["failed"]
    row = ReceivedCallback.objects.get()
    assert (row.failure, row.detail) == ("unknown_number", "NOPE-404")
    assert not TrackingEvent.objects.exists()
    assert fresh(shipment).status == "dispatched"


def test_processing_a_push_takes_a_fixed_number_of_queries(client, shipment, carrier):
    events = [(moment(10 - i), "0", f"站点 {i}", "运输中") for i in range(8)]
    post_push(client, carrier, push_param("KD100001", events))
    row = ReceivedCallback.objects.get()
    queries = queries_of(lambda: callback_process(callback_id=row.pk))
    # Lock the push; find the shipment; lock its order and itself (3); one INSERT for all
    # eight events; the latest event; the move (shipment, its event, audit); the order
    # following (its shipments, itself, its lines, update, event); the push marked processed.
    assert len(queries.statements) == 16, queries.statements
    inserts = [q for q in queries.sql if q.startswith("INSERT INTO shipping_trackingevent")]
    assert len(inserts) == 1
    assert TrackingEvent.objects.count() == 8


def test_webhook_push_with_hmac(client, shipping):
    carrier = webhook_carrier()
    shipment = dispatch(shipping, carrier, "HK-1")
    body = json.dumps(
        {
            "events": [
                {
                    "tracking_number": "HK-1",
                    "time": "2026-11-30T09:15:00+08:00",
                    "code": "OUT_FOR_DELIVERY",
                    "place": "上海",
                },
                {
                    "tracking_number": "HK-1",
                    "time": "2026-11-30T06:00:00+08:00",
                    "code": "ARR",
                    "status": "in_transit",
                },
            ]
        }
    ).encode()
    response = client.post(
        "/shipping/callbacks/HOOK/",
        body,
        content_type="application/json",
        headers={"X-OMS-Signature": webhook.sign(body, "hook-secret")},
    )
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert process_received() == ["processed"]
    assert fresh(shipment).status == "out_for_delivery"
    assert set(TrackingEvent.objects.values_list("raw_code", "status")) == {
        ("OUT_FOR_DELIVERY", "out_for_delivery"),
        ("ARR", "in_transit"),
    }
    bad = client.post(
        "/shipping/callbacks/HOOK/",
        b'{"events": [{"tracking_number": "HK-1"}]}',
        content_type="application/json",
        headers={
            "X-OMS-Signature": webhook.sign(
                b'{"events": [{"tracking_number": "HK-1"}]}', "hook-secret"
            )
        },
    )
    assert bad.status_code == 400
    assert bad.json()["ok"] is False


# Polls and subscriptions over real HTTP ------------------------------------------------------


@pytest.fixture
def server():
    with FakeKuaidi100(customer=CUSTOMER, key=KEY) as fake:
        yield fake


def test_poll_asks_the_carrier_and_applies_the_answer(shipping, server):
    carrier = kuaidi100_carrier(server.url)
    shipment = dispatch(shipping, carrier, "KD200001")
    silent = dispatch(shipping, carrier, "KD200002")
    server.parcels["KD200001"] = [(moment(4), "0", "广州", "运输中"), (moment(1), "3", "", "签收")]
    assert tracking_poll_plan() == {carrier.pk: [shipment.pk, silent.pk]}
    result = tracking_poll(carrier=carrier, shipment_ids=[shipment.pk, silent.pk])
    assert (result.checked, result.events, result.moved, result.failed) == (2, 2, 1, 0)
    assert server.queries[0]["com"] == "kd"
    assert server.queries[0]["resultv2"] == "4"
    assert fresh(shipment).status == "delivered"
    assert fresh(silent).status == "dispatched"  # nothing scanned yet (returnCode 500)
    assert fresh(silent).tracking_checked_at is not None
    # Checked now: not due again until the poll interval has passed; a second poll of the
    # same ids (a task queued twice) asks nothing.
    assert tracking_poll_plan() == {}
    assert tracking_poll(carrier=carrier, shipment_ids=[silent.pk]).checked == 0
    assert len(server.queries) == 2


def test_a_poll_with_nothing_new_takes_a_fixed_number_of_queries(shipping, server):
    carrier = kuaidi100_carrier(server.url)
    shipments = [dispatch(shipping, carrier, f"KD4{i:05d}") for i in range(6)]
    for s in shipments:
        server.parcels[s.tracking_number] = [(moment(3), "0", "广州", "运输中")]
    ids = [s.pk for s in shipments]
    assert tracking_poll(carrier=carrier, shipment_ids=ids).events == 6
    Shipment.objects.filter(pk__in=ids).update(tracking_checked_at=None)
    results = []
    queries = queries_of(lambda: results.append(tracking_poll(carrier=carrier, shipment_ids=ids)))
    assert (results[0].checked, results[0].events, results[0].moved) == (6, 0, 0)
    # The parcels due; the events they have already (one query for all); one UPDATE marking
    # them checked. No lock and no transaction per parcel when the carrier says nothing new.
    assert len(queries.statements) == 3, queries.statements
    assert Shipment.objects.filter(pk__in=ids, tracking_checked_at__isnull=True).count() == 0
    assert TrackingEvent.objects.filter(shipment_id__in=ids).count() == 6


def test_breaker_opens_when_the_carrier_stops_and_nothing_is_lost(shipping, server, settings):
    settings.OMS_TRACKING_BREAKER_FAILURES = 3
    settings.OMS_TRACKING_BREAKER_COOL_DOWN = (
        3.0  # longer than storing the answers takes on a busy machine
    )
    # One request at a time, so the counts below are exact (with more connections, the
    # requests already on their way when the circuit opens fail too).
    settings.OMS_TRACKING_POLL_CONNECTIONS = 1
    carrier = kuaidi100_carrier(server.url)
    other = kuaidi100_carrier("http://127.0.0.1:9", code="DOWN")
    shipments = [dispatch(shipping, carrier, f"KD3{i:05d}") for i in range(10)]
    for s in shipments:
        server.parcels[s.tracking_number] = [(moment(2), "0", "", "运输中")]
    server.fail_after = 4  # the carrier stops answering mid-poll
    ids = [s.pk for s in shipments]
    first = tracking_poll(carrier=carrier, shipment_ids=ids)
    assert (first.checked, first.failed, first.left) == (4, 3, 3)
    assert breaker_for(carrier).state().state == "open"
    assert breaker_for(other).allow() is not False  # another carrier is not affected
    unchecked = Shipment.objects.filter(pk__in=ids, tracking_checked_at__isnull=True)
    assert unchecked.count() == 6
    # While open nothing is asked.
    asked = len(server.queries)
    assert tracking_poll(carrier=carrier, shipment_ids=ids).left == 6
    assert len(server.queries) == asked
    # The carrier is back; after the cool-down one trial call closes the circuit.
    server.fail_after = None
    time.sleep(3.1)
    assert breaker_for(carrier).state().state == "half-open"
    second = tracking_poll(carrier=carrier, shipment_ids=tracking_poll_plan()[carrier.pk])
    assert (second.checked, second.failed, second.left) == (6, 0, 0)
    assert breaker_for(carrier).state().state == "closed"
    assert not unchecked.exists()
    assert set(Shipment.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "in_transit"
    }
    assert TrackingEvent.objects.filter(shipment_id__in=ids).count() == 10


def test_breaker_cool_down_doubles_while_the_carrier_stays_down(carrier, settings):
    settings.OMS_TRACKING_BREAKER_FAILURES = 2
    breaker = breaker_for(carrier)
    breaker.cool_down = 10
    breaker.record_failure()
    assert breaker.allow()
    breaker.record_failure()
    first = breaker.state()
    assert first.state == "open"
    assert 9 < first.retry_at - time.time() <= 10
    breaker.cache.set(breaker._key("retry_at"), time.time() - 1)  # the cool-down passed
    assert breaker.allow()  # the trial call
    assert not breaker.allow()  # only one
    breaker.record_failure()  # the trial failed: open again, twice as long
    assert 19 < breaker.state().retry_at - time.time() <= 20
    breaker.record_success()
    assert breaker.state().state == "closed"


def test_subscription_on_dispatch_sends_our_callback_address(shipping, server, settings):
    settings.OMS_CALLBACK_BASE_URL = "https://oms.example.com"
    carrier = kuaidi100_carrier(server.url)
    shipment = dispatch(shipping, carrier, "KD400001")
    assert tracking_subscribe(shipment_id=shipment.pk) == "subscribed"
    [subscription] = server.subscriptions
    assert subscription["company"] == "kd"
    assert subscription["number"] == "KD400001"
    assert subscription["parameters"]["callbackurl"] == (
        "https://oms.example.com/shipping/callbacks/KD/"
    )
    assert subscription["parameters"]["salt"] == SALT
    assert fresh(shipment).tracking_subscribed_at is not None
    assert tracking_subscribe(shipment_id=shipment.pk) == "skipped"  # once
    # A carrier that cannot be reached: the task retries later.
    down = kuaidi100_carrier("http://127.0.0.1:9", code="DOWN")
    parcel = dispatch(shipping, down, "DN1")
    with pytest.raises(TrackingUnavailable):
        tracking_subscribe(shipment_id=parcel.pk)
    assert fresh(parcel).tracking_subscribed_at is None


def test_dispatch_queues_the_subscription_after_commit(
    shipping, carrier, django_capture_on_commit_callbacks, monkeypatch
):
    from shipping.tracking import tasks

    queued = []
    monkeypatch.setattr(tasks.subscribe_shipment, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        shipment = dispatch(shipping, carrier, "KD500001")
    assert queued == [(shipment.pk,)]


# Staff typing the carrier's news in (the manual adapter) -------------------------------------


def test_manual_events_on_the_shipment_page(client_for, shipment):
    Shipment.objects.filter(pk=shipment.pk).update(dispatched_at=timezone.now() - timedelta(days=1))
    client = client_for("logistics")
    url = f"/shipments/{shipment.number}/progress/"
    when = timezone.localtime() - timedelta(hours=2)
    response = client.post(
        url,
        {
            "status": "failed_attempt",
            "event_time": when.strftime("%Y-%m-%dT%H:%M"),
            "place": "杭州市西湖区",
            "note": "无人在家 Nobody home",
        },
    )
    assert response.status_code == 302
    event = TrackingEvent.objects.get(shipment=shipment)
    assert (event.status, event.raw_code, event.source) == (
        "failed_attempt",
        "failed_attempt",
        "manual",
    )
    assert event.actor.username == "logistics-user"
    assert fresh(shipment).status == "exception"
    client.post(url, {"status": "out_for_delivery", "place": "西湖区"})
    assert fresh(shipment).status == "out_for_delivery"
    html = client.get(shipment.get_absolute_url()).content.decode()
    tracking = html[html.index('id="tracking-events"') :]
    assert tracking.index("Out for delivery") < tracking.index("Delivery attempt failed")
    assert "杭州市西湖区" in tracking
    assert "无人在家 Nobody home" in tracking
    # Bad input: a message, nothing stored.
    for bad in (
        {"status": "exception", "note": ""},
        {"status": "pending"},
        {"status": "bogus"},
        {"status": "in_transit", "event_time": "2999-01-01T00:00"},
        {"status": "in_transit", "event_time": "yesterday"},
        {"status": "in_transit", "place": "x" * 500},
    ):
        response = client.post(url, bad, follow=True)
        assert response.status_code == 200, bad
        assert TrackingEvent.objects.filter(shipment=shipment).count() == 2, bad
    warehouse = client_for("warehouse")
    assert warehouse.post(url, {"status": "delivered"}).status_code == 403


def test_manual_news_never_moves_a_finished_shipment_back(shipment):
    tracking_event_record(actor=None, shipment=shipment, status="delivered")
    with pytest.raises(ShipmentError, match="cannot become"):
        tracking_event_record(actor=None, shipment=shipment, status="in_transit")
    with pytest.raises(ValidationError):
        tracking_event_record(
            actor=None,
            shipment=shipment,
            status="info_received",
            event_time=datetime(2020, 1, 1, tzinfo=CHINA),  # before the dispatch
        )
    assert fresh(shipment).status == "delivered"


def test_an_undispatched_shipment_takes_no_news(shipping, carrier):
    product = shipping.product()
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [packed] = shipping.packed(order)
    with pytest.raises(ShipmentError, match="dispatch it first"):
        tracking_event_record(actor=None, shipment=packed, status="in_transit")


def test_order_page_shows_its_shipments_latest_tracking(client_for, client, shipment, carrier):
    post_push(
        client,
        carrier,
        push_param("KD100001", [(moment(3), "0", "", ""), (moment(1), "501", "菜鸟驿站", "")]),
    )
    process_received()
    html = client_for("sales").get(shipment.order.get_absolute_url()).content.decode()
    assert "Ready for pickup (locker or station)" in html
    assert "菜鸟驿站" in html


def test_a_push_moves_every_shipment_of_a_merged_parcel(client, shipping, carrier):
    """The orders of a merged parcel share its tracking number; each follows its events."""
    from shipping import merging, services

    customer, product = shipping.customer(), shipping.product()
    shipping.stock(product, shipping.shanghai, 10)
    members = []
    for _ in range(2):
        order = shipping.allocated_order((product, 1), customer=customer)
        members += services.shipments_create_for_order(actor=None, order=order)
    parcel = merging.shipments_merge(actor=None, shipment=members[0], others=[members[1].pk])
    for member in members:
        picking = services.shipment_start_picking(actor=None, shipment=member)
        services.shipment_pack(actor=None, shipment=picking)
    merging.parcel_dispatch(
        actor=None,
        parcel=parcel,
        details=shipping.details("KDPARCEL1", parcels=1, carrier=carrier.name),
        expected=[member.number for member in members],
    )
    param = push_param(
        "KDPARCEL1",
        [
            (moment(3), "0", "杭州转运中心", "已到达杭州转运中心"),
            (moment(1), "3", "杭州市", "已签收"),
        ],
    )
    assert post_push(client, carrier, param).status_code == 200
    assert process_received() == ["processed"]
    for member in members:
        assert fresh(member).status == "delivered", member.number
        assert TrackingEvent.objects.filter(shipment=member).count() == 2


# A poll's answers applied together ----------------------------------------------------------


def test_a_poll_applies_its_answers_together_as_one_by_one_would(shipping, server):
    """Every shipment with news in a poll is applied in one transaction: its events stored
    once (a repeat and an event a push stored before are left out), the latest by the
    carrier's time decides (not the order of the answer), each move has its shipment event,
    audit row and message, and the orders follow (two parcels of one order: delivered when
    both are)."""
    carrier = kuaidi100_carrier(server.url)
    product = shipping.product()
    order = shipping.allocated_order(
        (product, 5), stock=[(product, shipping.shanghai, 3), (product, shipping.guangzhou, 2)]
    )
    first, second = shipping.packed(order)
    for parcel, number in ((first, "KD500001"), (second, "KD500002")):
        services.shipment_dispatch(
            actor=None, shipment=parcel, details=shipping.details(number, carrier=carrier.name)
        )
    single = dispatch(shipping, carrier, "KD500003")
    server.parcels["KD500001"] = [(moment(5), "0", "广州", "运输中"), (moment(1), "3", "", "签收")]
    # Out of order: the delivery comes first in the answer, the older scan after it.
    server.parcels["KD500002"] = [(moment(2), "3", "", "签收"), (moment(4), "0", "上海", "运输中")]
    out = (moment(3), "5", "杭州", "派件中")
    server.parcels["KD500003"] = [out, out, (moment(6), "0", "上海", "运输中")]
    # A push brought the oldest scan of KD500003 already (it moved the parcel in transit).
    scan = push_param("KD500003", [(moment(6), "0", "上海", "运输中")])
    assert post_push(Client(), carrier, scan).status_code == 200
    assert process_received() == ["processed"]

    ids = [first.pk, second.pk, single.pk]
    audits_before = AuditLog.objects.filter(action="shipment.status").count()
    result = tracking_poll(carrier=carrier, shipment_ids=ids)
    assert (result.checked, result.events, result.moved, result.failed) == (3, 5, 3, 0)

    assert [fresh(s).status for s in (first, second, single)] == [
        "delivered",
        "delivered",
        "out_for_delivery",
    ]
    assert TrackingEvent.objects.filter(shipment=first).count() == 2
    assert TrackingEvent.objects.filter(shipment=second).count() == 2
    assert TrackingEvent.objects.filter(shipment=single).count() == 2
    assert fresh(first).delivered_at is not None
    moves = ShipmentEvent.objects.filter(
        shipment_id__in=ids, kind="status", to_status__in=["delivered", "out_for_delivery"]
    )
    assert sorted((m.shipment_id, m.from_status, m.to_status, m.data["code"]) for m in moves) == [
        (first.pk, "dispatched", "delivered", "3"),
        (second.pk, "dispatched", "delivered", "3"),
        (single.pk, "in_transit", "out_for_delivery", "5"),
    ]
    assert AuditLog.objects.filter(action="shipment.status").count() == audits_before + 3
    order.refresh_from_db()
    assert (order.status, order.fulfilment_status) == ("delivered", "fulfilled")
    assert order.events.filter(kind="status", to_status="delivered").count() == 1
    assert Order.objects.get(pk=single.order_id).status == "in_transit"
    told = sorted(
        OutboxMessage.objects.filter(
            event_code__in=["shipment.delivered", "shipment.out_for_delivery"]
        ).values_list("event_code", "dedupe_key")
    )
    assert [code for code, _key in told] == [
        "shipment.delivered",
        "shipment.delivered",
        "shipment.out_for_delivery",
    ]

    # Asked again with nothing new: nothing is written, no message twice.
    Shipment.objects.filter(pk__in=ids).update(tracking_checked_at=None)
    again = tracking_poll(carrier=carrier, shipment_ids=ids)
    assert (again.checked, again.events, again.moved) == (1, 0, 0)  # the other two arrived
    assert (
        OutboxMessage.objects.filter(
            event_code__in=["shipment.delivered", "shipment.out_for_delivery"]
        ).count()
        == 3
    )


def test_a_poll_takes_the_same_statements_for_more_shipments(shipping, server):
    """Applying a poll's news costs statements per chunk, not per shipment."""
    carrier = kuaidi100_carrier(server.url)

    def statements(count: int, prefix: str) -> int:
        parcels = [dispatch(shipping, carrier, f"{prefix}{i:05d}") for i in range(count)]
        for parcel in parcels:
            server.parcels[parcel.tracking_number] = [
                (moment(3), "0", "广州", "运输中"),
                (moment(1), "3", "", "签收"),
            ]
        results = []
        queries = queries_of(
            lambda: results.append(
                tracking_poll(carrier=carrier, shipment_ids=[p.pk for p in parcels])
            )
        )
        assert (results[0].checked, results[0].events, results[0].moved) == (
            count,
            2 * count,
            count,
        )
        return len(queries.statements)

    assert statements(2, "KD6") == statements(6, "KD7")


def test_a_shipment_the_chunk_cannot_take_does_not_hold_back_the_others(shipping, server):
    """When applying the answers together fails (a hook refuses one shipment), each is
    applied on its own: the others move on, the refused one stays due for the next poll."""
    carrier = kuaidi100_carrier(server.url)
    parcels = [dispatch(shipping, carrier, f"KD8{i:05d}") for i in range(3)]
    for parcel in parcels:
        server.parcels[parcel.tracking_number] = [(moment(1), "3", "", "签收")]

    def refuse(shipment, actor):
        if shipment.tracking_number == "KD800001":
            raise RuntimeError("refused")

    hooks.shipment_delivered.append(refuse)
    try:
        result = tracking_poll(carrier=carrier, shipment_ids=[p.pk for p in parcels])
    finally:
        hooks.shipment_delivered.remove(refuse)
    assert (result.checked, result.events, result.moved) == (3, 2, 2)
    assert [fresh(p).status for p in parcels] == ["delivered", "dispatched", "delivered"]
    assert fresh(parcels[1]).tracking_checked_at is None
    assert not TrackingEvent.objects.filter(shipment=parcels[1]).exists()


def test_a_rate_limit_hands_out_a_rounds_places_at_once(db):
    """A poll round takes its places with one count: what is left of the window, then none
    (waiting for the next window is up to the caller's `wait`)."""
    limit = RateLimit(f"test-round:{time.time_ns()}", 5, window=3600)
    assert limit.acquire_many(3, wait=0) == 3
    assert limit.acquire_many(3, wait=0) == 2
    assert limit.acquire_many(3, wait=0) == 0
    assert limit.exhausted()
    assert limit.acquire(wait=0) is False
