"""The adapter interface: one class per carrier integration, chosen by `Carrier.tracking_kind`.

An adapter knows its carrier's protocol and nothing of our database: it turns tracking numbers
into `CarrierEvent`s (query), asks the carrier to push (subscribe), checks and reads a push
(verify_callback, parse_callback), and maps the carrier's codes to `TrackingStatus`
(normalise). `shipping.tracking.services` stores what it returns and moves the shipments.
"""

import http.client
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from shipping.choices import TrackingKind
from shipping.models import Carrier
from shipping.tracking.statuses import TrackingStatus


@dataclass(frozen=True)
class CarrierEvent:
    """One event as a carrier reported it, normalised."""

    tracking_number: str
    event_time: datetime
    raw_code: str
    status: str  # a TrackingStatus value
    place: str = ""
    description: str = ""


@dataclass(frozen=True)
class Parcel:
    """What a query or a subscription names: the tracking number, the recipient's phone
    (some carriers ask for its last digits) and the cities it goes between (Kuaidi100's
    `from` and `to`, used for its transit estimates)."""

    tracking_number: str
    phone: str = ""
    origin: str = ""  # the city it leaves from (the warehouse's)
    destination: str = ""  # the recipient's city


@dataclass(frozen=True)
class CallbackRequest:
    """A push as it arrived: the raw body, the form fields (when form-encoded) and headers."""

    body: bytes
    form: Mapping[str, str]
    headers: Mapping[str, str]


@dataclass(frozen=True)
class CallbackAnswer:
    status: int
    body: dict


class TrackingUnavailable(Exception):
    """The carrier did not answer, or answered with an error of its own: counts against its
    circuit breaker and is tried again later."""


class BadSignature(Exception):
    """A push whose signature does not match: refused (403), nothing stored."""


class BadPayload(Exception):
    """A push, correctly signed, that is not the JSON the protocol describes."""


class NotSupported(Exception):
    """The integration cannot do this (a manual carrier is never queried)."""


# A carrier's answer longer than this is not read further (and not understood).
MAX_ANSWER_BYTES = 2_000_000
_kept = threading.local()


def http_post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> bytes:
    """POST and read the answer (at most MAX_ANSWER_BYTES); raises OSError (ValueError for a
    bad address, urllib.error.HTTPError for an error status). The connection is kept per
    thread and carrier address (HTTP keep-alive: a poll asks thousands of times), and one the
    carrier closed while it was idle is opened again once. Through urllib, a connection per
    request, when the environment names a proxy for the address."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an HTTP address: {url}")
    proxies = urllib.request.getproxies()
    if parts.scheme in proxies and not urllib.request.proxy_bypass(parts.hostname):
        request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.read(MAX_ANSWER_BYTES)
    kept: dict[tuple[str, str], http.client.HTTPConnection] = _kept.__dict__.setdefault(
        "connections", {}
    )
    key = (parts.scheme, parts.netloc)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    while True:
        connection = kept.pop(key, None)
        reused = connection is not None
        if connection is None:
            kind = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            connection = kind(parts.hostname, parts.port, timeout=timeout)
        elif connection.sock is not None:
            connection.sock.settimeout(timeout)
        try:
            connection.request("POST", path, body=body, headers=dict(headers))
            answer = connection.getresponse()
            data = answer.read(MAX_ANSWER_BYTES + 1)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            connection.close()
            if reused:
                continue  # closed by the carrier while idle: once more on a new connection
            raise
        except BaseException:
            connection.close()
            raise
        if answer.will_close or len(data) > MAX_ANSWER_BYTES or not answer.isclosed():
            connection.close()
        else:
            kept[key] = connection
        if answer.status >= 400:
            raise urllib.error.HTTPError(url, answer.status, answer.reason, answer.msg, None)
        return data[:MAX_ANSWER_BYTES]


class TrackingAdapter:
    kind: ClassVar[str]
    supports_query: ClassVar[bool] = False
    supports_push: ClassVar[bool] = False
    # Push needs a subscription per parcel (Kuaidi100) rather than one set up once.
    needs_subscription: ClassVar[bool] = False

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier

    def query(self, parcel: Parcel) -> list[CarrierEvent]:
        """Every event the carrier has for the parcel (none yet: an empty list). Raises
        TrackingUnavailable when the carrier cannot answer."""
        raise NotSupported(self.kind)

    def subscribe(self, parcel: Parcel, callback_url: str) -> None:
        """Ask the carrier to push the parcel's events to callback_url. Raises
        TrackingUnavailable when it refuses or cannot be reached."""
        raise NotSupported(self.kind)

    def verify_callback(self, request: CallbackRequest) -> str:
        """Check the push's signature; return the payload to store. Raises BadSignature."""
        raise NotSupported(self.kind)

    def delivery_id(self, request: CallbackRequest, payload: str) -> str:
        """What makes this delivery unique (a second delivery of it is stored once)."""
        raise NotSupported(self.kind)

    def parse_callback(self, payload: str) -> list[CarrierEvent]:
        """The events in a stored payload. Raises BadPayload."""
        raise NotSupported(self.kind)

    def normalise(self, raw_code: str) -> str:
        """The TrackingStatus a carrier code means."""
        raise NotImplementedError

    def acknowledge(self) -> CallbackAnswer:
        """The answer the carrier expects for a push we took."""
        return CallbackAnswer(200, {"ok": True})

    def refuse(self, reason: str, status: int) -> CallbackAnswer:
        """The answer for a push we did not take (bad signature, not its JSON)."""
        return CallbackAnswer(status, {"ok": False, "error": reason})


def load_json_object(text: str | bytes) -> dict:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadPayload(f"not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise BadPayload("the JSON is not an object")
    return value


class ManualAdapter(TrackingAdapter):
    """Staff type the carrier's news in on the shipment page; the code is the status itself."""

    kind = TrackingKind.MANUAL

    def normalise(self, raw_code: str) -> str:
        return raw_code if raw_code in TrackingStatus.values else TrackingStatus.PENDING


ADAPTERS: dict[str, type[TrackingAdapter]] = {TrackingKind.MANUAL: ManualAdapter}


def register_adapter(adapter: type[TrackingAdapter]) -> type[TrackingAdapter]:
    ADAPTERS[adapter.kind] = adapter
    return adapter


def adapter_for(carrier: Carrier) -> TrackingAdapter:
    # Importing the shipped integrations registers them.
    from shipping.tracking import kuaidi100, webhook  # noqa: F401

    return ADAPTERS.get(carrier.tracking_kind, ManualAdapter)(carrier)


def events_sorted(events: Sequence[CarrierEvent]) -> list[CarrierEvent]:
    return sorted(events, key=lambda e: (e.event_time, e.raw_code))
