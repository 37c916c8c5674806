"""A generic JSON webhook: a carrier (or a tracking service) that pushes events as JSON.

    POST /shipping/callbacks/<carrier code>/
    Content-Type: application/json
    X-OMS-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the carrier's secret>
    X-OMS-Delivery: <optional: the sender's id of this delivery; else the body's hash>

    {"events": [{"tracking_number": "SF1234567890",
                 "time": "2026-11-30T09:15:00+08:00",   (ISO 8601 with its offset)
                 "code": "OUT_FOR_DELIVERY",            (the sender's own code, kept as sent)
                 "status": "out_for_delivery",          (optional: one of TrackingStatus)
                 "place": "上海市浦东新区",                (optional)
                 "description": "快递员正在派件"}]}        (optional)

Without `status`, a code that is itself a tracking status (any case) says what it means, any
other code "pending". We answer `{"ok": true}` (200); a bad signature 403; a body that is not
this JSON 400.
"""

import hashlib
import hmac
from datetime import datetime

from shipping.choices import TrackingKind
from shipping.tracking.adapters import (
    BadPayload,
    BadSignature,
    CallbackRequest,
    CarrierEvent,
    TrackingAdapter,
    load_json_object,
    register_adapter,
)
from shipping.tracking.statuses import TrackingStatus

SIGNATURE_HEADER = "X-OMS-Signature"
DELIVERY_HEADER = "X-OMS-Delivery"
MAX_EVENTS = 500


def sign(body: bytes, secret: str) -> str:
    """The header value for a body: what the sender computes (and the tests)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _text(item: dict, name: str, limit: int, *, required: bool = False) -> str:
    value = item.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadPayload(f"{name} is not text")
    value = value.strip()
    if required and not value:
        raise BadPayload(f"{name} is missing")
    if len(value) > limit:
        raise BadPayload(f"{name} is longer than {limit} characters")
    return value


@register_adapter
class WebhookAdapter(TrackingAdapter):
    kind = TrackingKind.WEBHOOK
    supports_push = True

    def verify_callback(self, request: CallbackRequest) -> str:
        given = request.headers.get(SIGNATURE_HEADER, "").strip()
        secret = self.carrier.tracking_secret
        if not given or not secret:
            raise BadSignature("signature header or our secret is missing")
        if not hmac.compare_digest(sign(request.body, secret), given):
            raise BadSignature("signature does not match")
        try:
            return request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadSignature("the body is not UTF-8") from exc

    def delivery_id(self, request: CallbackRequest, payload: str) -> str:
        given = request.headers.get(DELIVERY_HEADER, "").strip()
        if given and len(given) <= 64 and given.isprintable():
            return given
        return hashlib.sha256(request.body).hexdigest()

    def parse_callback(self, payload: str) -> list[CarrierEvent]:
        events = load_json_object(payload).get("events")
        if not isinstance(events, list) or not events:
            raise BadPayload("events is not a list of events")
        if len(events) > MAX_EVENTS:
            raise BadPayload(f"more than {MAX_EVENTS} events")
        parsed = []
        for item in events:
            if not isinstance(item, dict):
                raise BadPayload("an event is not an object")
            code = _text(item, "code", 24, required=True)
            status = _text(item, "status", 24) or self.normalise(code)
            if status not in TrackingStatus.values:
                raise BadPayload(f"status {status!r} is not a tracking status")
            try:
                event_time = datetime.fromisoformat(_text(item, "time", 40, required=True))
            except ValueError as exc:
                raise BadPayload(f"time: {exc}") from exc
            if event_time.tzinfo is None:
                raise BadPayload("time has no UTC offset")
            parsed.append(
                CarrierEvent(
                    tracking_number=_text(item, "tracking_number", 40, required=True),
                    event_time=event_time,
                    raw_code=code,
                    status=status,
                    place=_text(item, "place", 120),
                    description=_text(item, "description", 500),
                )
            )
        return parsed

    def normalise(self, raw_code: str) -> str:
        code = raw_code.strip().lower()
        return code if code in TrackingStatus.values else TrackingStatus.PENDING
