"""Outbound webhooks: what we tell a channel about its orders, and a platform's ship
confirmation, through one queue.

Writing: `webhook_queue` writes one `WebhookDelivery` per event and target in the caller's
transaction (rolled back with it) and sends it after commit. Orders queues its own events
here (listeners on orders.hooks, `connect`); shipping (shipped with tracking, delivered) and
billing (refunded) call `webhook_queue` with a payload they prepare, since orders imports
no app above it. The same event key again queues nothing.

Sending: `deliver_webhook` (a Celery task) posts the body as JSON with an HMAC-SHA256 signature
of the raw body (`X-OMS-Signature: sha256=<hex>`), `X-OMS-Event` and `X-OMS-Delivery` (the
same id on every attempt, for the receiver's deduplication). A 2xx answer is sent; anything
else is tried again after 1 min, 5 min, 30 min, 2 h and 12 h, then failed. The row is locked
(select_for_update skip_locked) while it is sent, so two workers never send one row at once;
`webhooks_catch_up` (beat, every minute) sends whatever is due that no task did.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.errors import ServiceError
from oms.reference_cache import cached
from oms.services import audit_record
from oms.tasks import enqueue_on_commit
from orders.choices import PLATFORM_KINDS, WebhookEvent, WebhookStatus, WebhookTarget
from orders.intake.confirmations import UnmappedCarrier, ship_confirmation
from orders.intake.models import Channel
from orders.intake.outbound_models import WebhookDelivery
from orders.intake.platform_carriers import carrier_ids, unmapped_text
from orders.models import Order
from orders.permissions import Actor

logger = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd, … failed attempt; after the last one the row fails.
BACKOFF = (60, 300, 1800, 7200, 43200)
MAX_ATTEMPTS = len(BACKOFF) + 1
USER_AGENT = "OMS-Webhooks/1"


def order_ref(order: Order) -> dict[str, Any]:
    """The order as every event names it."""
    return {
        "number": order.number,
        "external_id": order.external_reference,
        "channel": order.channel_id,
        "status": order.status,
        "total": str(order.total),
    }


def _json(value: Any) -> Any:
    """The payload as JSON stores it (decimals and dates as text)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _insert(channel: Channel, **fields: Any) -> WebhookDelivery | None:
    delivery = WebhookDelivery(**{"channel": channel, "next_attempt_at": timezone.now(), **fields})
    try:
        with transaction.atomic():
            delivery.save()
    except IntegrityError:
        return None  # queued already: one event is sent once
    if delivery.status == WebhookStatus.PENDING:
        enqueue_on_commit(deliver_webhook, delivery.pk)
    return delivery


def _confirmation_fields(channel: Channel, shipped: dict[str, Any]) -> dict[str, Any] | None:
    """The confirmation row's path, body and status for a shipped payload: pending with the
    platform's body; failed and unsent, keeping the shipped payload to build it again on a
    resend, when the platform needs an id our carrier does not have; None: nothing to
    confirm (no tracking number)."""
    try:
        confirmation = ship_confirmation(channel.kind, shipped, carrier_ids(channel.kind))
    except UnmappedCarrier as exc:
        return {
            "path": "",
            "payload": shipped,
            "status": WebhookStatus.FAILED,
            "next_attempt_at": None,
            "last_error": str(exc)[:500],
        }
    if confirmation is None:
        return None
    path, body = confirmation
    return {"path": path[:200], "payload": _json(body)}


def _confirms_shipments(channel: Channel) -> bool:
    return channel.kind in PLATFORM_KINDS and bool(channel.endpoint)


@dataclass(frozen=True)
class _Listener:
    pk: int
    events: frozenset[str]  # what its webhook wants (empty: no webhook)
    confirms_shipments: bool


def _listeners() -> dict[str, _Listener]:
    """The channels that listen to anything, by code: reference data cached per process
    (oms.reference_cache; the channels' table stamps its version on every write), so an
    order's confirmation reads no channel row when its channel listens to nothing."""
    from orders.reference import CHANNEL_TABLES

    def load() -> dict[str, _Listener]:
        listening = Channel.objects.filter(
            Q(webhook_url__gt="") | Q(kind__in=PLATFORM_KINDS, endpoint__gt="")
        )
        return {
            channel.code: _Listener(
                channel.pk,
                frozenset(event for event in WebhookEvent.values if channel.wants(event)),
                _confirms_shipments(channel),
            )
            for channel in listening
        }

    return cached(("orders.webhook_listeners",), CHANNEL_TABLES, load)


def listening_channel(order: Order, event: str) -> Channel | None:
    """The order's channel when anything is to be sent about this event (its webhook wants
    it, or it is a platform to confirm a shipment to), else None: a caller builds the
    payload only then."""
    listener = _listeners().get(order.channel_id)
    if listener is None:
        return None
    if event in listener.events or (event == WebhookEvent.SHIPPED and listener.confirms_shipments):
        return Channel.objects.filter(pk=listener.pk).first()
    return None


def webhook_queue(
    *,
    order: Order,
    event: str,
    key: str,
    payload: dict[str, Any],
    channel: Channel | None = None,
) -> list[WebhookDelivery]:
    """Queue an event about a channel's order: to the channel's webhook when it wants the
    event, and, for a shipment on a platform, the platform's ship confirmation. Call it in the
    transaction of the change; `key` names the event once ("order.shipped:SH-…")."""
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event}")
    channel = channel or listening_channel(order, event)
    if channel is None:
        return []
    payload = _json(payload)
    queued = []
    if channel.wants(event):
        delivery = _insert(
            channel,
            target=WebhookTarget.WEBHOOK,
            event=event,
            event_key=key[:120],
            reference=order.number,
            payload=payload,
        )
        if delivery is not None:
            queued.append(delivery)
    if event == WebhookEvent.SHIPPED and _confirms_shipments(channel):
        fields = _confirmation_fields(channel, payload)
        if fields is not None:
            delivery = _insert(
                channel,
                target=WebhookTarget.CONFIRMATION,
                event=event,
                event_key=key[:120],
                reference=order.number,
                **fields,
            )
            if delivery is not None:
                queued.append(delivery)
    return queued


# Orders' own events --------------------------------------------------------------------------


def _order_event(order: Order, event: str) -> None:
    from orders.intake.api import OrderOut, order_out

    channel = listening_channel(order, event)
    if channel is None:
        return
    body = {"order": OrderOut(**order_out(order)).model_dump(mode="json")}
    if event == WebhookEvent.CANCELLED:
        body["reason"] = order.cancel_reason
    webhook_queue(
        order=order, event=event, key=f"{event}:{order.number}", payload=body, channel=channel
    )


def on_order_confirmed(order: Order, actor: Actor) -> None:
    _order_event(order, WebhookEvent.CONFIRMED)


def on_order_cancelled(order: Order, actor: Actor) -> None:
    _order_event(order, WebhookEvent.CANCELLED)


def connect() -> None:
    from orders import hooks

    hooks.order_confirmed.append(on_order_confirmed)
    hooks.order_cancelled.append(on_order_cancelled)


# Sending ------------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    """The raw body: a webhook wraps the payload in an envelope; a confirmation is the
    platform's body as built."""
    if delivery.target == WebhookTarget.CONFIRMATION:
        document = delivery.payload
    else:
        document = {
            "id": str(delivery.uid),
            "event": delivery.event,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload,
        }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _destination(delivery: WebhookDelivery) -> tuple[str, str]:
    """(URL, secret) as the channel has them now (a corrected URL counts for a resend)."""
    channel = delivery.channel
    if delivery.target == WebhookTarget.CONFIRMATION:
        base = channel.endpoint.rstrip("/")
        return (base + delivery.path if base else "", channel.secret)
    return channel.webhook_url, channel.webhook_secret


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address: it fails the attempt (urllib would turn
    the POST into a GET without the body)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)
# Seconds of backoff a task is scheduled for (eta); longer waits are left to the beat job,
# beyond the broker's visibility timeout.
TASK_RETRY_UP_TO = 1800


def _post(url: str, secret: str, delivery: WebhookDelivery) -> int:
    """Post the delivery; returns the HTTP status. Raises OSError when none came."""
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-OMS-Event": delivery.event,
        "X-OMS-Delivery": str(delivery.uid),
    }
    if secret:
        headers["X-OMS-Signature"] = signature(secret, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=settings.OMS_WEBHOOK_TIMEOUT) as answer:
            answer.read(65536)
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except ValueError as exc:  # not a URL urllib can post to
        raise OSError(str(exc)) from exc


def _attempt(delivery: WebhookDelivery) -> None:
    """Send once and write the outcome on the (locked) row."""
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    url, secret = _destination(delivery)
    code: int | None = None
    error = ""
    if not url.startswith(("http://", "https://")):
        error = "no URL to send to"
    else:
        try:
            code = _post(url, secret, delivery)
        except (OSError, TimeoutError) as exc:
            error = (str(exc) or type(exc).__name__)[:500]
        if code is not None and not 200 <= code < 300:
            error = f"HTTP {code}"
    delivery.last_status_code = code
    delivery.last_error = error
    if not error:
        delivery.status = WebhookStatus.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookStatus.FAILED
        delivery.next_attempt_at = None
        logger.warning("webhook delivery %s failed for good: %s", delivery.pk, error)
    else:
        delivery.next_attempt_at = now + timedelta(seconds=BACKOFF[delivery.attempts - 1])
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "status",
            "sent_at",
            "next_attempt_at",
        ]
    )


def deliver_due(delivery_id: int) -> str:
    """Send one delivery if it is pending and due, holding its row lock while it is sent: a
    second worker skips it. Returns its status afterwards, or "skipped"."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel")
            .filter(
                pk=delivery_id,
                status=WebhookStatus.PENDING,
                next_attempt_at__lte=timezone.now(),
            )
            .first()
        )
        if delivery is None:
            return "skipped"
        _attempt(delivery)
    if (
        delivery.status == WebhookStatus.PENDING
        and delivery.next_attempt_at
        and delivery.next_attempt_at <= timezone.now() + timedelta(seconds=TASK_RETRY_UP_TO)
    ):
        try:
            deliver_webhook.apply_async(
                (delivery.pk,),
                eta=delivery.next_attempt_at,
                expires=delivery.next_attempt_at + timedelta(hours=1),
            )
        except Exception:  # the beat job catches up
            logger.warning("could not schedule webhook %s again", delivery.pk, exc_info=True)
    return delivery.status


@shared_task(time_limit=120, soft_time_limit=110, ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    return deliver_due(delivery_id)


@shared_task(time_limit=600, soft_time_limit=540, ignore_result=True)
def webhooks_catch_up(limit: int = 200) -> int:
    """Beat: send what is due and no task sent (a lost task, a broker outage, a backoff that
    outlived the worker). Rows another worker holds are skipped."""
    ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for delivery_id in ids:
        if deliver_due(delivery_id) == WebhookStatus.SENT:
            sent += 1
    return sent


# Staff ---------------------------------------------------------------------------------------


@transaction.atomic
def webhook_resend(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue a delivery again (failed, or sent and asked for again): pending, due now, with
    a fresh round of attempts; audited. A delivery being sent right now is refused."""
    locked = (
        WebhookDelivery.objects.select_for_update(skip_locked=True).filter(pk=delivery.pk).first()
    )
    if locked is None:
        raise ServiceError(_("This delivery is being sent right now: try again in a moment."))
    if locked.status == WebhookStatus.PENDING and locked.attempts == 0:
        raise ServiceError(_("This delivery is queued already and has not been tried yet."))
    before = {"status": locked.status, "attempts": locked.attempts}
    if locked.target == WebhookTarget.CONFIRMATION and not locked.path:
        # Never built (its carrier had no id on the platform): built now, or refused again.
        fields = _confirmation_fields(locked.channel, locked.payload)
        if fields is None or fields.get("status") == WebhookStatus.FAILED:
            stored = fields["last_error"] if fields else ""
            raise ServiceError(unmapped_text(stored) or _("There is nothing to confirm."))
        locked.path, locked.payload, locked.last_error = fields["path"], fields["payload"], ""
        locked.save(update_fields=["path", "payload", "last_error"])
    locked.status = WebhookStatus.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(
        actor=actor,
        action="webhook.resend",
        obj=locked,
        changes={**before, "event": locked.event, "reference": locked.reference},
    )
    enqueue_on_commit(deliver_webhook, locked.pk)
    return locked
