"""The carriers' push endpoint is open to the internet without a login: only a correct
signature gets anything stored, and nothing anyone sends makes it answer 500."""

import json
import logging

import pytest

from oms.models import AuditLog
from oms.resilience import shared_cache
from shipping.models import ReceivedCallback, TrackingEvent
from shipping.tracking import webhook
from shipping.tracking.views import bad_signatures
from tests.shipping.conftest import Shipping
from tests.shipping.kuaidi100_server import push_param
from tests.shipping.tracking_helpers import (
    SALT,
    dispatch,
    kuaidi100_carrier,
    post_push,
    process_received,
    webhook_carrier,
)

PARAM = push_param("KD100001", [("2026-11-30 10:00:00", "3", "杭州", "已签收")])


@pytest.fixture
def carrier(db):
    carrier = kuaidi100_carrier()
    # Earlier runs from 127.0.0.1 may have counted bad signatures in this minute.
    for address in ("127.0.0.1", "198.51.100.7", "198.51.100.8"):
        shared_cache().delete(bad_signatures(address)._key())
    return carrier


@pytest.fixture
def shipping(db):
    return Shipping()


def nothing_stored():
    return not ReceivedCallback.objects.exists() and not TrackingEvent.objects.exists()


def test_a_bad_signature_is_refused_logged_and_nothing_is_stored(client, carrier, caplog):
    caplog.set_level(logging.WARNING, logger="shipping.tracking.views")
    for sign_with in ("wrong-salt", "", SALT.lower()):
        response = post_push(client, carrier, PARAM, salt=sign_with)
        assert response.status_code == 403
        assert response.json()["result"] is False
    # Signed, but a different param than sent.
    response = client.post(
        "/shipping/callbacks/KD/",
        {"param": PARAM.replace("已签收", "已退回"), "sign": post_push.__name__},
    )
    assert response.status_code == 403
    assert client.post("/shipping/callbacks/KD/", {"param": PARAM}).status_code == 403
    assert client.post("/shipping/callbacks/KD/", {}).status_code == 403
    assert nothing_stored()
    assert "refused" in caplog.text


def test_a_carrier_without_a_salt_takes_no_push(client, carrier):
    carrier.tracking_secret = ""
    carrier.save()
    # An attacker computing the sign with an empty salt gets nowhere.
    assert post_push(client, carrier, PARAM, salt="").status_code == 403
    assert nothing_stored()


def test_webhook_hmac_is_checked(client, db):
    carrier = webhook_carrier(secret="s3cret")
    body = json.dumps(
        {
            "events": [
                {"tracking_number": "X", "time": "2026-11-30T10:00:00+08:00", "code": "delivered"}
            ]
        }
    ).encode()
    for signature in (
        "",
        "sha256=00",
        webhook.sign(body, "other"),
        webhook.sign(body + b" ", "s3cret"),
    ):
        response = client.post(
            f"/shipping/callbacks/{carrier.code}/",
            body,
            content_type="application/json",
            headers={"X-OMS-Signature": signature},
        )
        assert response.status_code == 403, signature
    assert nothing_stored()


def test_bad_signatures_are_throttled_per_address(client, carrier, settings):
    settings.OMS_CALLBACK_BAD_SIGNATURES_PER_MINUTE = 3
    address = "198.51.100.7"
    statuses = [
        post_push(client, carrier, PARAM, salt="guess", REMOTE_ADDR=address).status_code
        for _ in range(5)
    ]
    assert statuses[:3] == [403, 403, 403]
    assert statuses[3:] == [429, 429]
    # Even a good signature waits for the minute to pass; other addresses are not affected.
    assert post_push(client, carrier, PARAM, REMOTE_ADDR=address).status_code == 429
    assert post_push(client, carrier, PARAM, REMOTE_ADDR="198.51.100.8").status_code == 200


def test_body_size_is_limited(client, carrier, settings):
    settings.OMS_CALLBACK_MAX_BYTES = 2000
    big = push_param("KD100001", [("2026-11-30 10:00:00", "0", "x" * 3000, "")])
    assert post_push(client, carrier, big).status_code == 413
    assert nothing_stored()


@pytest.mark.parametrize(
    "param",
    [
        "null",
        "[]",
        '"text"',
        "{}",
        '{"lastResult": []}',
        '{"lastResult": {"nu": "KD1", "data": {}}}',
        '{"lastResult": {"nu": "KD1", "data": [1, 2]}}',
        '{"lastResult": {"nu": "KD1", "data": [{"time": "2026-13-45 99:00:00"}]}}',
        '{"lastResult": {"nu": "' + "9" * 100 + '", "data": []}}',
        "[" * 5000 + "]" * 5000,
        '{"lastResult": {"nu": "KD1", "data": [{"time": null}]}}',
    ],
)
def test_signed_garbage_is_recorded_as_failed_and_answered_400(client, carrier, param):
    response = post_push(client, carrier, param)
    assert response.status_code == 400
    assert ReceivedCallback.objects.get().state == "failed"
    assert not TrackingEvent.objects.exists()


def test_wrong_methods_and_carriers(client, carrier, db):
    manual = carrier.__class__.objects.create(code="MAN", name="Manual Co")
    assert client.get("/shipping/callbacks/KD/").status_code == 405
    assert post_push(client, manual, PARAM).status_code == 404
    assert client.post("/shipping/callbacks/NOPE/", {"param": "x"}).status_code == 404
    assert client.post("/shipping/callbacks/%C2%B2/", {"param": "x"}).status_code == 404
    assert nothing_stored()


def test_a_signed_push_for_another_carriers_parcel_changes_nothing(client, shipping, carrier):
    """A carrier (its salt) can only speak for its own parcels."""
    other = kuaidi100_carrier(code="OTHER")
    shipment = dispatch(shipping, other, "KD100001")
    assert post_push(client, carrier, PARAM).status_code == 200
    assert process_received() == ["failed"]
    shipment.refresh_from_db()
    assert shipment.status == "dispatched"
    assert not TrackingEvent.objects.exists()


def test_carrier_credentials_are_never_shown_or_audited(client_for, carrier):
    client = client_for("logistics")
    for page in (f"/carriers/{carrier.pk}/", f"/carriers/{carrier.pk}/edit/", "/carriers/"):
        html = client.get(page).content.decode()
        assert SALT not in html, page
        assert carrier.tracking_key not in html, page
    data = {
        "code": "KD",
        "name": "KD Express",
        "active": "on",
        "tracking_kind": "kuaidi100",
        "tracking_endpoint": carrier.tracking_endpoint,
        "tracking_customer": carrier.tracking_customer,
        "tracking_key": "",
        "tracking_secret": "NEW-SALT-9",
    }
    assert client.post(f"/carriers/{carrier.pk}/edit/", data).status_code == 302
    carrier.refresh_from_db()
    assert (carrier.tracking_secret, carrier.tracking_key) == ("NEW-SALT-9", "KEY-1")
    audit = AuditLog.objects.get(action="carrier.tracking_secrets")
    assert audit.changes == {"tracking_secret": "••••"}
    assert "NEW-SALT-9" not in json.dumps(list(AuditLog.objects.values_list("changes", flat=True)))
    # A Kuaidi100 carrier without its credentials is refused with a message.
    carrier.tracking_key = ""
    carrier.save()
    response = client.post(f"/carriers/{carrier.pk}/edit/", {**data, "tracking_secret": ""})
    assert response.status_code == 422
    assert "This tracking integration needs it." in response.content.decode()
