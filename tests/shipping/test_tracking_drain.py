"""Stored pushes are applied by drain tasks (shipping.tracking.services.callbacks_drain): a
push wakes a drain only when none is queued, a drain takes every push waiting, first
attempts only (the catch-up job retries the others)."""

import pytest
from django.core.cache import caches
from django.test import Client

from shipping.models import ReceivedCallback, Shipment, TrackingEvent
from shipping.tracking.services import (
    CALLBACK_DRAINS,
    callbacks_drain,
    drain_key,
    wake_callback_drain,
)
from tests.shipping.kuaidi100_server import push_param
from tests.shipping.tracking_helpers import dispatch, kuaidi100_carrier, post_push

EVENTS = [("2026-11-30 08:00:00", "0", "上海", "运输中"), ("2026-11-30 11:00:00", "5", "", "派件")]


@pytest.fixture(autouse=True)
def no_drain_queued():
    keys = [drain_key(slot) for slot in range(CALLBACK_DRAINS)]
    caches["shared"].delete_many(keys)
    yield
    caches["shared"].delete_many(keys)


@pytest.mark.django_db(transaction=True)
def test_many_pushes_wake_one_drain_which_applies_them_all(shipping):
    carrier = kuaidi100_carrier()
    parcels = [dispatch(shipping, carrier, f"KD20000{n}") for n in range(3)]
    client = Client()
    for parcel in parcels:
        assert (
            post_push(client, carrier, push_param(parcel.tracking_number, EVENTS)).status_code
            == 200
        )
    # Committed at once (no test transaction): the first push took the first drain's place,
    # the others found it taken and queued nothing.
    assert caches["shared"].get(drain_key(0)) == 1
    assert caches["shared"].get(drain_key(1)) is None
    assert callbacks_drain(slot=0) == 3
    assert caches["shared"].get(drain_key(0)) is None  # the next push wakes a drain again
    assert set(ReceivedCallback.objects.values_list("state", flat=True)) == {"processed"}
    assert TrackingEvent.objects.count() == 6
    assert set(Shipment.objects.values_list("status", flat=True)) == {"out_for_delivery"}


def test_a_drain_leaves_retries_to_the_catch_up_job(shipping):
    carrier = kuaidi100_carrier()
    parcel = dispatch(shipping, carrier, "KD300001")
    client = Client()
    post_push(client, carrier, push_param(parcel.tracking_number, EVENTS))
    post_push(client, carrier, push_param(parcel.tracking_number, EVENTS[:1]))
    first, second = ReceivedCallback.objects.order_by("pk")
    ReceivedCallback.objects.filter(pk=second.pk).update(attempts=1)  # failed once already
    assert callbacks_drain() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("processed", "received")


def test_a_full_batch_wakes_the_next_drain(shipping):
    carrier = kuaidi100_carrier()
    parcel = dispatch(shipping, carrier, "KD400001")
    client = Client()
    for hour in range(3):
        event = (f"2026-11-30 0{hour}:00:00", "0", "上海", "运输中")
        post_push(client, carrier, push_param(parcel.tracking_number, [event]))
    caches["shared"].add(drain_key(0), 1)  # this drain was queued
    wake_callback_drain()  # a push finding it queued wakes nothing more
    assert caches["shared"].get(drain_key(1)) is None
    assert callbacks_drain(slot=0, batch=2) == 3
    # The first batch was full: it took the second drain's place (its task goes on commit).
    assert caches["shared"].get(drain_key(1)) == 1
