"""Inbound deliveries: the only code that stores what platforms send (signed webhooks,
pulled marketplace orders), turns it into orders and maps platform SKUs to products.

A delivery is stored once per (channel, delivery id) and processed by a worker after commit
(`process_inbound`; the beat job `inbound-catch-up` takes what no worker finished). Processing
runs the channel's adapter, maps the SKUs (a SkuMapping, else our product with the same SKU)
and calls `intake_order`. A platform SKU that answers to no product is not an error: the
delivery waits for staff to map it (`sku_map`), which processes the waiting deliveries again.
"""

import base64
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inventory.models import Product
from inventory.taxes import tax_rates_on
from oms.services import audit_record
from oms.tasks import enqueue_on_commit
from orders.intake.adapters import PULLED, BadPayload, parse
from orders.intake.inbound_errors import inbound_error
from orders.intake.inbound_models import (
    DeliveryKind,
    DeliveryStatus,
    InboundDelivery,
    InboundError,
    SkuMapping,
)
from orders.intake.models import Channel
from orders.intake.place import SentOrder, intake_order
from orders.models import Order

logger = logging.getLogger(__name__)

# A delivery that failed this many times for an unexpected reason is given up (failed).
MAX_ATTEMPTS = 5
ALREADY_TAKEN = "already taken"
HUNDRED = Decimal(100)
ERROR_LENGTH = 2000
S = DeliveryStatus
E = InboundError


# Signatures -------------------------------------------------------------------------------


def signature(secret: str, body: bytes) -> str:
    """Shopify's and WooCommerce's signature: base64 of HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_valid(channel: Channel, body: bytes, sent: str) -> bool:
    if not channel.secret or not sent:
        return False
    return hmac.compare_digest(signature(channel.secret, body).encode(), sent.strip().encode())


def without_nul(value: Any) -> Any:
    """The JSON value without NUL characters, which PostgreSQL cannot store in JSON text
    (a platform's payload is kept as sent otherwise)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


# Storing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    delivery: InboundDelivery
    created: bool


def delivery_store(channel: Channel, delivery_id: str, kind: str, payload: Any) -> Stored:
    """Store the delivery unless its id is known; the caller's transaction commits it and
    then the task goes out."""
    try:
        with transaction.atomic():
            delivery = InboundDelivery.objects.create(
                channel=channel,
                delivery_id=delivery_id[:120],
                kind=kind,
                payload=payload,
                external_id=_external_id(channel, payload),
            )
    except IntegrityError:
        known = InboundDelivery.objects.get(channel=channel, delivery_id=delivery_id[:120])
        return Stored(known, created=False)
    enqueue_on_commit(_task(), delivery.pk)
    return Stored(delivery, created=True)


def _task():
    from orders.tasks import process_inbound

    return process_inbound


def _external_id(channel: Channel, payload: Any) -> str:
    if not isinstance(payload, dict):
        return ""
    field = PULLED[channel.kind][0] if channel.kind in PULLED else "id"
    value = payload.get(field)
    return str(value)[:64] if isinstance(value, str | int) and not isinstance(value, bool) else ""


@transaction.atomic
def webhook_receive(*, channel: Channel, delivery_id: str, body: bytes) -> Stored:
    """Store a webhook whose signature was checked. A body that is not JSON is stored as
    failed, with the reason (the platform sent it; staff see it), and not processed."""
    try:
        payload = without_nul(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, ValueError):
        payload = None
    if not delivery_id:
        delivery_id = "sha256:" + hashlib.sha256(body).hexdigest()
    if payload is None:
        stored = delivery_store(
            channel,
            delivery_id,
            DeliveryKind.WEBHOOK,
            {"body": without_nul(body[:2000].decode("utf-8", "replace"))},
        )
        if stored.created:
            _finish(stored.delivery, S.FAILED, error=inbound_error(E.NOT_JSON))
        return stored
    return delivery_store(channel, delivery_id, DeliveryKind.WEBHOOK, payload)


# Processing -------------------------------------------------------------------------------


def _finish(delivery: InboundDelivery, status: str, *, error: dict[str, Any] | None = None) -> None:
    """Close a processing attempt; `error` is a coded InboundError (`inbound_error(...)`)."""
    _set_error(delivery, error)
    delivery.status = status
    delivery.processed_at = timezone.now()
    delivery.save(
        update_fields=[
            "status",
            "error_code",
            "error_params",
            "processed_at",
            "attempts",
            "order",
            "unmapped_skus",
            "external_id",
        ]
    )


def _mapped(channel: Channel, sent: SentOrder) -> tuple[SentOrder, list[str]]:
    """The order with our SKUs (and, where the platform sent no tax rate, the product's rate
    of today), and the platform SKUs no product answers to."""
    skus = {line.sku for line in sent.lines}
    mapping = dict(
        SkuMapping.objects.filter(channel=channel, platform_sku__in=skus).values_list(
            "platform_sku", "product__sku"
        )
    )
    ours = {mapping.get(sku, sku) for sku in skus}
    classes = dict(Product.objects.filter(sku__in=ours).values_list("sku", "tax_class_id"))
    unmapped = sorted(sku for sku in skus if mapping.get(sku, sku) not in classes)
    rates = tax_rates_on(timezone.localdate())
    lines = []
    for line in sent.lines:
        sku = mapping.get(line.sku, line.sku)
        rate = line.tax_rate
        if rate is None and line.unit_price is not None and sku in classes:
            fraction = rates.get(classes[sku])
            rate = None if fraction is None else (fraction * HUNDRED).normalize()
        lines.append(replace(line, sku=sku, tax_rate=rate))
    return replace(sent, lines=tuple(lines)), unmapped


def _set_error(delivery: InboundDelivery, error: dict[str, Any] | None) -> None:
    delivery.error_code = error["code"] if error else ""
    delivery.error_params = error["params"] if error else {}


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(m for messages in error.message_dict.values() for m in messages)
    return "; ".join(error.messages)


def _refusal(channel: Channel, sent: SentOrder, first: ValidationError) -> dict[str, Any]:
    """The refusal worded in every language we speak. Services word a refusal when they
    raise it, so the order is tried again (rolled back) in each other language: the page
    then shows it in its reader's language."""
    active = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    reasons = {active: _messages(first)[:ERROR_LENGTH]}
    for code, _name in settings.LANGUAGES:
        if code.lower() in reasons:
            continue
        try:
            with translation.override(code), transaction.atomic():
                intake_order(channel=channel, sent=sent)
                raise _RollBack
        except ValidationError as exc:
            reasons[code.lower()] = _messages(exc)[:ERROR_LENGTH]
        except _RollBack:
            pass
        except Exception:  # only the wording is missing; the first language's stays
            logger.exception("wording a refusal in %s", code)
    return inbound_error(E.REFUSED, reasons=reasons)


class _RollBack(Exception):
    """Undoes a wording attempt that (against expectation) placed the order."""


def delivery_process(*, delivery_id: int) -> str:
    """Turn a stored delivery into an order (a worker; the catch-up job; "process again").
    Running it twice places one order: only a row still received is taken, locked."""
    with transaction.atomic():
        delivery = (
            InboundDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel")
            .filter(pk=delivery_id, status=S.RECEIVED)
            .first()
        )
        if delivery is None:
            return "skipped"
        delivery.attempts += 1
        channel = delivery.channel
        try:
            sent = parse(channel.kind, delivery.payload)
        except BadPayload as exc:
            _finish(
                delivery,
                S.FAILED,
                error=inbound_error(E.BAD_PAYLOAD, problem=exc.problem, **exc.params),
            )
            return S.FAILED
        delivery.external_id = sent.external_id.strip()[:64]
        taken = Order.objects.filter(
            channel_id=channel.code, external_reference=delivery.external_id
        ).first()
        if taken is not None:
            delivery.order = taken
            delivery.unmapped_skus = []
            _finish(delivery, S.PROCESSED, error=inbound_error(E.DUPLICATE))
            return ALREADY_TAKEN
        sent, unmapped = _mapped(channel, sent)
        if unmapped:
            delivery.unmapped_skus = unmapped
            _finish(
                delivery, S.WAITING_FOR_MAPPING, error=inbound_error(E.UNKNOWN_SKU, skus=unmapped)
            )
            return S.WAITING_FOR_MAPPING
        delivery.unmapped_skus = []
        try:
            with transaction.atomic():
                intake = intake_order(channel=channel, sent=sent)
        except ValidationError as exc:
            _finish(delivery, S.FAILED, error=_refusal(channel, sent, exc))
            return S.FAILED
        except Exception as exc:
            logger.exception("inbound delivery %s", delivery.pk)
            unexpected = inbound_error(
                E.UNEXPECTED, detail=f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
            )
            if delivery.attempts >= MAX_ATTEMPTS:
                _finish(delivery, S.FAILED, error=unexpected)
                return S.FAILED
            _set_error(delivery, unexpected)
            delivery.save(update_fields=["attempts", "error_code", "error_params", "external_id"])
            return S.RECEIVED
        delivery.order = intake.order
        _finish(delivery, S.PROCESSED, error=None if intake.created else inbound_error(E.DUPLICATE))
        return S.PROCESSED


def deliveries_catch_up(*, older_than: timedelta = timedelta(minutes=2), limit: int = 500) -> int:
    """Process the deliveries no worker finished (the broker was down, a worker died)."""
    ids = list(
        InboundDelivery.objects.filter(
            status=S.RECEIVED, received_at__lt=timezone.now() - older_than
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        delivery_process(delivery_id=pk)
    return len(ids)


@transaction.atomic
def delivery_retry(*, actor: Any, delivery: InboundDelivery) -> InboundDelivery:
    """Staff's "process again": a failed or waiting delivery goes back to the worker."""
    row = InboundDelivery.objects.select_for_update().get(pk=delivery.pk)
    if row.status == S.PROCESSED:
        raise ValidationError(_("This delivery is processed: its order is placed."))
    if row.status != S.RECEIVED:
        row.status, row.attempts = S.RECEIVED, 0
        row.save(update_fields=["status", "attempts"])
    audit_record(actor=actor, action="inbound.retry", obj=row, changes={"status": S.RECEIVED})
    enqueue_on_commit(_task(), row.pk)
    return row


# SKU mapping ------------------------------------------------------------------------------


@transaction.atomic
def sku_map(*, actor: Any, channel: Channel, platform_sku: str, product: Product) -> SkuMapping:
    """Map a platform SKU to a product (or change its product), then send the deliveries
    waiting for it back to the worker."""
    platform_sku = platform_sku.strip()
    if not platform_sku or len(platform_sku) > 64:
        raise ValidationError(
            {"platform_sku": _("Give the platform's SKU (64 characters at most).")}
        )
    if not product.is_active:
        raise ValidationError(
            {"product": _("Product %(sku)s is not active.") % {"sku": product.sku}}
        )
    mapping, created = SkuMapping.objects.select_for_update().get_or_create(
        channel=channel, platform_sku=platform_sku, defaults={"product": product}
    )
    if not created and mapping.product_id != product.pk:
        mapping.product = product
        mapping.save(update_fields=["product"])
    audit_record(
        actor=actor,
        action="inbound.sku_map",
        obj=mapping,
        changes={"channel": channel.code, "platform_sku": platform_sku, "product": product.sku},
    )
    waiting = list(
        InboundDelivery.objects.select_for_update()
        .filter(
            channel=channel, status=S.WAITING_FOR_MAPPING, unmapped_skus__contains=[platform_sku]
        )
        .values_list("pk", flat=True)
    )
    InboundDelivery.objects.filter(pk__in=waiting).update(status=S.RECEIVED, attempts=0)
    for pk in waiting:
        enqueue_on_commit(_task(), pk)
    return mapping


# Pulling marketplace orders ---------------------------------------------------------------


class PullFailed(Exception):
    """The marketplace did not answer a page (network, HTTP error, not its JSON)."""


def _page(channel: Channel, since: str, page: int) -> dict:
    query = urllib.parse.urlencode({"modified_since": since, "page": page})
    separator = "&" if "?" in channel.endpoint else "?"
    request = urllib.request.Request(
        f"{channel.endpoint}{separator}{query}", headers={"Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.OMS_INBOUND_PULL_TIMEOUT) as answer:
            body = answer.read(settings.OMS_INBOUND_MAX_BYTES * 20 + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PullFailed(str(exc)) from exc
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise PullFailed("not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("orders"), list):
        raise PullFailed("no orders list")
    return data


@dataclass
class Pulled:
    pages: int = 0
    stored: int = 0
    duplicates: int = 0


def channel_pull(*, channel: Channel) -> Pulled:
    """Read a marketplace's orders modified since the channel's cursor, page by page. Each
    page's orders are stored as deliveries (id: order id + modified time, so a late update is
    a new delivery and a page read twice stores nothing twice) and the cursor moves to the
    page's latest modified time in the same transaction: a pull stopped halfway resumes."""
    id_field, modified_field = PULLED[channel.kind]
    since = channel.cursor
    result = Pulled()
    for page in range(1, settings.OMS_INBOUND_PULL_MAX_PAGES + 1):
        data = _page(channel, since, page)
        with transaction.atomic():
            locked = Channel.objects.select_for_update().get(pk=channel.pk)
            latest = locked.cursor
            for order in data["orders"]:
                if not isinstance(order, dict):
                    continue
                order = without_nul(order)
                order_id, modified = order.get(id_field), order.get(modified_field)
                if not isinstance(order_id, str | int) or not isinstance(modified, str):
                    continue
                stored = delivery_store(locked, f"{order_id}@{modified}", DeliveryKind.PULL, order)
                result.stored += stored.created
                result.duplicates += not stored.created
                latest = max(latest, modified[:64])
            if latest != locked.cursor:
                locked.cursor = latest
                locked.save(update_fields=["cursor"])
        result.pages += 1
        if not data.get("has_next"):
            break
    return result


def pulled_channels() -> list[Channel]:
    return list(Channel.objects.filter(is_active=True, kind__in=list(PULLED)).exclude(endpoint=""))
