"""Pushes and subscriptions handled by a real Celery worker (queue "tracking") over the real
broker, after the web request's transaction committed."""

import contextlib
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from oms import celery_app
from shipping.models import ReceivedCallback, Shipment, TrackingEvent
from shipping.tracking.services import callbacks_catch_up
from tests.oms.test_outbox_worker import wait_for, worker_environment
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
    (tmp_path / "mail").mkdir()
    with celery_app.connection_for_write() as conn, contextlib.suppress(Exception):
        conn.default_channel.queue_purge("tracking")
    log_path = tmp_path / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed in teardown
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "oms",
            "worker",
            "--pool",
            "solo",
            "-Q",
            "tracking",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=worker_environment(tmp_path / "mail"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield log_path
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


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
