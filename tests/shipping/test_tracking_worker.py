"""Pushes and subscriptions handled by a real Celery worker (queue "tracking") over the real
broker, after the web request's transaction committed."""

import pytest
from django.core.cache import caches
from django.test import Client

from shipping.models import ReceivedCallback, Shipment, TrackingEvent
from shipping.tracking.services import CALLBACK_DRAINS, callbacks_catch_up, drain_key
from tests.oms.test_outbox_worker import running_worker, wait_for
from tests.shipping.conftest import Shipping
from tests.shipping.kuaidi100_server import FakeKuaidi100, push_param
from tests.shipping.tracking_helpers import (
    CUSTOMER,
    KEY,
    dispatch,
    kuaidi100_carrier,
    post_push,
)


@pytest.fixture
def tracking_worker(transactional_db, tmp_path):
    # A drain queued by an earlier test would keep a push from waking one (the queue is
    # emptied when the worker starts).
    caches["shared"].delete_many([drain_key(slot) for slot in range(CALLBACK_DRAINS)])
    with running_worker(tmp_path, ["tracking"]):
        yield tmp_path / "worker.log"


def test_worker_subscribes_after_dispatch_and_applies_pushes(tracking_worker):
    with FakeKuaidi100(customer=CUSTOMER, key=KEY) as server:
        carrier = kuaidi100_carrier(server.url)
        shipment = dispatch(Shipping(), carrier, "KD900001")
        log = tracking_worker
        assert wait_for(
            lambda: Shipment.objects.get(pk=shipment.pk).tracking_subscribed_at is not None
        ), log.read_text()[-3000:]
        assert [s["number"] for s in server.subscriptions] == ["KD900001"]

    client = Client()
    param = push_param(
        "KD900001",
        [("2026-11-30 08:00:00", "0", "上海", "运输中"), ("2026-11-30 11:00:00", "5", "", "派件")],
    )
    response = post_push(client, carrier, param)
    assert response.status_code == 200
    assert wait_for(lambda: ReceivedCallback.objects.get().state == "processed"), log.read_text()[
        -3000:
    ]
    assert Shipment.objects.get(pk=shipment.pk).status == "out_for_delivery"
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2
    # The same delivery again is stored once; the catch-up job finds nothing left.
    assert post_push(client, carrier, param).status_code == 200
    assert ReceivedCallback.objects.count() == 1
    assert callbacks_catch_up() == 0
    # A new push right after: the worker's drain freed its place in the shared cache, so this
    # push wakes a drain again at once (with a per-process cache the web process would still
    # see the place taken, and the push would wait for the catch-up job).
    delivered = push_param("KD900001", [("2026-11-30 15:00:00", "3", "上海", "已签收")])
    assert post_push(client, carrier, delivered).status_code == 200
    assert wait_for(lambda: not ReceivedCallback.objects.exclude(state="processed").exists()), (
        log.read_text()[-3000:]
    )
    assert Shipment.objects.get(pk=shipment.pk).status == "delivered"
