"""Tracking services: the only code that writes tracking events and received callbacks, and
that moves shipments on what carriers report.

Every event is stored once (INSERT ... ON CONFLICT DO NOTHING on carrier, tracking number,
time and raw code), with the order and the shipment locked (`shipping.services.lock_shipment`,
the lock order of every shipping service). Then the latest event by its own time, not by when
it arrived, decides where the shipment should be; `shipping.services.shipment_transition`
moves it when the transition table allows, so a delivered, returned or cancelled shipment
never moves back on a late event, and the delivered and returned hooks fire once. The order
follows through `shipping.services.follow`.
"""

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.db import atomic_with_retry
from oms.resilience import CircuitBreaker, RateLimit, shared_cache
from oms.tasks import enqueue_on_commit
from oms.together import together
from oms.types import User
from orders.held_writes import writes_at_end
from shipping.choices import SHIPMENT_TRANSITIONS, ShipmentStatus
from shipping.models import Carrier, ReceivedCallback, Shipment, TrackingEvent
from shipping.permissions import ShipmentAction, ShipmentError, ensure_permitted
from shipping.services import (
    Move,
    follow,
    follow_many,
    lock_shipment,
    shipment_transition,
    shipments_transition,
)
from shipping.tracking.adapters import (
    BadPayload,
    CallbackRequest,
    CarrierEvent,
    Parcel,
    TrackingAdapter,
    adapter_for,
)
from shipping.tracking.statuses import (
    SHIPMENT_STATUS_OF,
    CallbackFailure,
    CallbackState,
    TrackingSource,
    TrackingStatus,
)

logger = logging.getLogger(__name__)

S = ShipmentStatus
# Parcels the carrier is still moving: the poll asks about these.
POLLED_STATUSES = (S.DISPATCHED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY)
# A push that failed this many times for an unexpected reason is given up (failed).
MAX_CALLBACK_ATTEMPTS = 5
PLACE_LENGTH = 120
NOTE_LENGTH = 500
# A manual event may be this far in the future (clocks differ), not more.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Applied:
    """What applying events to one shipment did."""

    stored: int  # new events (the rest were there already)
    moved_to: str | None  # the shipment's new status, if it moved


def carrier_of(shipment: Shipment) -> Carrier | None:
    """The carrier row behind the name on the shipment's paperwork."""
    chosen = shipment.carrier_service
    if chosen is not None and chosen.carrier.name == shipment.carrier:
        return chosen.carrier
    return Carrier.objects.filter(name=shipment.carrier).first() if shipment.carrier else None


def parcel_of(shipment: Shipment) -> Parcel:
    return Parcel(
        tracking_number=shipment.tracking_number,
        phone=shipment.order.ship_phone,
        origin=shipment.warehouse.city,
        destination=shipment.order.ship_city,
    )


def callback_url(carrier: Carrier) -> str:
    path = reverse("shipping_tracking:callback", args=[carrier.code])
    return settings.OMS_CALLBACK_BASE_URL.rstrip("/") + path


def breaker_for(carrier: Carrier) -> CircuitBreaker:
    return CircuitBreaker(f"carrier:{carrier.pk}")


def rate_limit_for(carrier: Carrier) -> RateLimit:
    return RateLimit(f"carrier:{carrier.pk}", carrier.tracking_rate_limit)


# Storing and applying events -------------------------------------------------------------


def _insert_events(
    shipment: Shipment,
    carrier: Carrier | None,
    events: Sequence[CarrierEvent],
    source: str,
    actor: User | None,
) -> int:
    """Insert the events not stored yet, in one statement; returns how many were new."""
    return _insert_events_many([(shipment, events)], carrier, source, actor)[shipment.pk]


# One statement for any number of rows (its text never changes): a column of values each.
_INSERT_EVENTS = (
    f"INSERT INTO {TrackingEvent._meta.db_table} (shipment_id, carrier_id, tracking_number, "
    "event_time, raw_code, status, place, description, source, actor_id, recorded_at) "
    "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::timestamptz[], "
    "%s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[], %s::integer[], "
    "%s::timestamptz[]) ON CONFLICT DO NOTHING RETURNING shipment_id"
)


def _insert_events_many(
    batch: Sequence[tuple[Shipment, Sequence[CarrierEvent]]],
    carrier: Carrier | None,
    source: str,
    actor: User | None,
) -> Counter[int]:
    """Insert the events of many shipments not stored yet, in one INSERT ... ON CONFLICT DO
    NOTHING (the same event twice, or stored by a push meanwhile, is stored once); returns
    how many were new per shipment."""
    rows = [
        (
            shipment.pk,
            carrier.pk if carrier else None,
            event.tracking_number,
            event.event_time,
            event.raw_code,
            event.status,
            event.place[:PLACE_LENGTH],
            event.description[:NOTE_LENGTH],
        )
        for shipment, events in batch
        for event in events
    ]
    stored: Counter[int] = Counter()
    if not rows:
        return stored
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    columns = [list(column) for column in zip(*rows, strict=True)]
    columns += [[source] * len(rows), [actor_id] * len(rows), [timezone.now()] * len(rows)]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_EVENTS, columns)
        stored.update(shipment_id for (shipment_id,) in cursor.fetchall())
    return stored


def _follow_latest(shipment: Shipment, actor: User | None, note: str = "") -> str | None:
    """Move the locked shipment to what its latest event (by event time) says, when the
    transition table allows it; returns the new status or None."""
    return _follow_latest_many([shipment], actor, note).get(shipment.pk)


def _follow_latest_many(
    shipments: Sequence[Shipment], actor: User | None, note: str = ""
) -> dict[int, str]:
    """_follow_latest for many locked shipments: their latest events read in one query, the
    moves written together (shipping.services.shipments_transition), then their orders
    follow; returns the new status by shipment key, for those that moved."""
    if not shipments:
        return {}
    latest = {
        row["shipment_id"]: row
        for row in TrackingEvent.objects.filter(shipment_id__in=[s.pk for s in shipments])
        .order_by("shipment_id", "-event_time", "-id")
        .distinct("shipment_id")
        .values("shipment_id", "status", "raw_code", "event_time", "place", "source")
    }
    moves = []
    for shipment in shipments:
        event = latest.get(shipment.pk)
        if event is None:
            continue
        target = SHIPMENT_STATUS_OF.get(event["status"])
        if target is None or target == shipment.status:
            continue
        if target not in SHIPMENT_TRANSITIONS.get(shipment.status, ()):
            continue  # terminal (delivered, returned, cancelled) or not with the carrier yet
        data = {
            "tracking": event["status"],
            "code": event["raw_code"],
            "place": event["place"],
            "event_time": event["event_time"].isoformat(),
            "source": event["source"],
        }
        moves.append(Move(shipment, target, data))
    if len(moves) == 1:  # a push, staff's news: one move costs least on its own
        [move] = moves
        shipment_transition(
            shipment=move.shipment, to_status=move.to_status, actor=actor, note=note, data=move.data
        )
        follow(move.shipment.order, actor)
    elif moves:
        # The audit rows, messages, order rows and order events of the moves go in together.
        with together(), writes_at_end():
            shipments_transition(moves=moves, actor=actor, note=note)
            orders = {move.shipment.order_id: move.shipment.order for move in moves}
            follow_many([orders[order_id] for order_id in sorted(orders)], actor)
    return {move.shipment.pk: move.to_status for move in moves}


def _apply(
    shipment: Shipment,
    carrier: Carrier | None,
    events: Sequence[CarrierEvent],
    source: str,
    actor: User | None = None,
) -> Applied:
    """Store the events and follow the latest. The caller holds the shipment's locks."""
    return _apply_many([(shipment, events)], carrier, source, actor)[shipment.pk]


def _apply_many(
    batch: Sequence[tuple[Shipment, Sequence[CarrierEvent]]],
    carrier: Carrier | None,
    source: str,
    actor: User | None = None,
) -> dict[int, Applied]:
    """_apply for many shipments of one carrier, the caller holding their locks
    (shipping.services.lock_shipments), inside oms.together.together() for the audit rows
    and messages to go in together: one INSERT for the events, one query for the latest."""
    stored = _insert_events_many(batch, carrier, source, actor)
    moved = _follow_latest_many(
        [shipment for shipment, _events in batch if stored[shipment.pk]], actor
    )
    return {
        shipment.pk: Applied(stored[shipment.pk], moved.get(shipment.pk))
        for shipment, _events in batch
    }


@atomic_with_retry()
def tracking_events_apply(
    *,
    shipment: Shipment | int,
    events: Sequence[CarrierEvent],
    source: str,
    actor: User | None = None,
) -> Applied:
    """Store a carrier's events for one shipment (each once) and move the shipment on."""
    locked = lock_shipment(shipment)
    return _apply(locked, carrier_of(locked), events, source, actor)


# Staff typing the carrier's news in (the manual adapter) ----------------------------------

# The buttons of the old "What the carrier reports" card, as tracking statuses.
ACTION_STATUSES = {
    ShipmentAction.IN_TRANSIT: TrackingStatus.IN_TRANSIT,
    ShipmentAction.OUT_FOR_DELIVERY: TrackingStatus.OUT_FOR_DELIVERY,
    ShipmentAction.DELIVERED: TrackingStatus.DELIVERED,
    ShipmentAction.EXCEPTION: TrackingStatus.EXCEPTION,
    ShipmentAction.RETURNED: TrackingStatus.RETURNED,
}
# What staff may type in: every status but "pending" (that is the absence of news).
MANUAL_STATUSES = [s for s in TrackingStatus if s != TrackingStatus.PENDING]
# Statuses whose note must say what happened.
NEEDS_NOTE = frozenset(
    {
        TrackingStatus.EXCEPTION,
        TrackingStatus.FAILED_ATTEMPT,
        TrackingStatus.CANCELLED,
        TrackingStatus.EXPIRED,
    }
)


@atomic_with_retry()
def tracking_event_record(
    *,
    actor: User | None,
    shipment: Shipment,
    status: str,
    event_time: datetime | None = None,
    place: str = "",
    note: str = "",
) -> Shipment:
    """The carrier's news typed in by staff: stored as a manual tracking event, and the
    shipment moves on exactly as for a carrier's event. News that would move a shipment where
    it cannot go (a delivered parcel "in transit") is refused with the reason."""
    ensure_permitted(actor, ShipmentAction.IN_TRANSIT)
    now = timezone.now()
    event_time = event_time or now
    place, note = place.strip(), note.strip()
    errors: dict[str, str] = {}
    if status not in MANUAL_STATUSES:
        errors["status"] = _("Choose what the carrier reported.")
    elif status in NEEDS_NOTE and not note:
        errors["note"] = _("Say what went wrong.")
    if event_time > now + CLOCK_SKEW:
        errors["event_time"] = _("The time cannot be in the future.")
    if len(place) > PLACE_LENGTH:
        errors["place"] = _("At most %(max)s characters.") % {"max": PLACE_LENGTH}
    if len(note) > NOTE_LENGTH:
        errors["note"] = _("At most %(max)s characters.") % {"max": NOTE_LENGTH}
    if errors:
        raise ValidationError(errors)
    locked = lock_shipment(shipment)
    if locked.status == S.CANCELLED or locked.dispatched_at is None:
        raise ShipmentError(
            _("%(number)s is not with a carrier: dispatch it first.") % {"number": locked.number}
        )
    target = SHIPMENT_STATUS_OF[status]
    if (
        target is not None
        and target != locked.status
        and target not in SHIPMENT_TRANSITIONS.get(locked.status, ())
    ):
        raise ShipmentError(
            _("A shipment that is %(current)s cannot become %(target)s.")
            % {"current": S(locked.status).label, "target": S(target).label}
        )
    if event_time < locked.dispatched_at - CLOCK_SKEW:
        raise ValidationError({"event_time": _("The time is before the dispatch.")})
    event = CarrierEvent(
        tracking_number=locked.tracking_number,
        event_time=event_time,
        raw_code=status,
        status=status,
        place=place,
        description=note,
    )
    if not _insert_events(locked, carrier_of(locked), [event], TrackingSource.MANUAL, actor):
        raise ValidationError(_("This event is recorded already."))
    _follow_latest(locked, actor, note=note)
    return locked


# Pushes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """A push taken: the row (None when this delivery was stored before) and its state."""

    callback_id: int | None
    state: str
    failure: str = ""


def callback_receive(
    *, carrier: Carrier, adapter: TrackingAdapter, request: CallbackRequest, remote_addr: str | None
) -> Received:
    """Store a push whose signature was checked (adapter.verify_callback), once per delivery,
    and hand it to a worker after commit. A payload that is not the carrier's JSON is stored
    as failed, with the reason, and not processed."""
    payload = adapter.verify_callback(request)
    delivery = adapter.delivery_id(request, payload)
    state, failure, detail = CallbackState.RECEIVED, "", ""
    try:
        adapter.parse_callback(payload)
    except BadPayload as exc:
        state, failure, detail = CallbackState.FAILED, CallbackFailure.BAD_PAYLOAD, str(exc)
    now = timezone.now()
    # One statement, committed on its own (no BEGIN/COMMIT round trips in the endpoint); the
    # task goes out once it is (enqueue_on_commit runs at once outside a transaction).
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ReceivedCallback._meta.db_table} (carrier_id, delivery_id, "
            "received_at, remote_addr, payload, state, failure, detail, attempts, "
            "events_stored, processed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0, 0, %s) "
            "ON CONFLICT DO NOTHING RETURNING id",
            [
                carrier.pk,
                delivery,
                now,
                remote_addr,
                payload,
                state,
                failure,
                detail[:2000],
                now if state == CallbackState.FAILED else None,
            ],
        )
        row = cursor.fetchone()
        if row is None:
            return Received(None, "duplicate")
        if state == CallbackState.RECEIVED:
            transaction.on_commit(wake_callback_drain)
    if failure:
        logger.warning("push %s from %s for %s: %s", row[0], remote_addr, carrier.code, detail)
    return Received(row[0], state, failure)


def _shipments_for(carrier: Carrier, numbers: Iterable[str]) -> list[Shipment]:
    return list(
        Shipment.objects.filter(
            Q(carrier=carrier.name) | Q(carrier_service__carrier=carrier),
            tracking_number__in=list(numbers),
        )
        .exclude(status=S.CANCELLED)
        .order_by("order_id", "pk")
    )


def _finish(row: ReceivedCallback, state: str, failure: str = "", detail: str = "") -> None:
    row.state, row.failure, row.detail = state, failure, detail[:2000]
    row.processed_at = timezone.now()
    row.save(
        update_fields=["state", "failure", "detail", "processed_at", "attempts", "events_stored"]
    )


def callback_process(*, callback_id: int) -> str:
    """Apply a stored push (a worker; the catch-up job for what a worker never finished).
    Running it twice applies it once: only a row still "received" is taken, locked."""
    with transaction.atomic():
        row = (
            ReceivedCallback.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("carrier")
            .filter(pk=callback_id, state=CallbackState.RECEIVED)
            .first()
        )
        if row is None:
            return "skipped"
        row.attempts += 1
        carrier = row.carrier
        try:
            events = adapter_for(carrier).parse_callback(row.payload)
        except BadPayload as exc:
            _finish(row, CallbackState.FAILED, CallbackFailure.BAD_PAYLOAD, str(exc))
            return row.state
        by_number: dict[str, list[CarrierEvent]] = defaultdict(list)
        for event in events:
            by_number[event.tracking_number].append(event)
        try:
            with transaction.atomic():
                found = _shipments_for(carrier, by_number)
                for shipment in found:
                    locked = lock_shipment(shipment)
                    applied = _apply(
                        locked, carrier, by_number[locked.tracking_number], TrackingSource.PUSH
                    )
                    row.events_stored += applied.stored
        except Exception as exc:  # rolled back to the savepoint; the row records why
            logger.exception("push %s of %s could not be applied", row.pk, carrier.code)
            row.events_stored = 0
            if row.attempts >= MAX_CALLBACK_ATTEMPTS:
                _finish(row, CallbackState.FAILED, CallbackFailure.ERROR, repr(exc))
            else:
                row.detail = repr(exc)[:2000]
                row.save(update_fields=["attempts", "detail"])
            return row.state
        unknown = sorted(set(by_number) - {s.tracking_number for s in found})
        if unknown and not found:
            _finish(
                row,
                CallbackState.FAILED,
                CallbackFailure.UNKNOWN_TRACKING_NUMBER,
                ", ".join(unknown)[:2000],
            )
        else:
            _finish(
                row,
                CallbackState.PROCESSED,
                CallbackFailure.UNKNOWN_TRACKING_NUMBER if unknown else "",
                ", ".join(unknown),
            )
        return row.state


# Pushes are applied by drain tasks rather than a task per push: queuing a Celery task was a
# third of what taking a push cost. A push wakes a drain only when none is queued (one Redis
# SET NX); a drain takes the pushes waiting, in batches, until none is left. CALLBACK_DRAINS
# drains may run at once (a worker's concurrency), a second one woken by a first that finds a
# full batch. The places are kept in the shared cache: the web process that takes one and the
# worker that frees it are different processes (a per-process cache would keep a place taken
# until it expired, and the pushes meanwhile would wait for the catch-up job).
CALLBACK_DRAINS = 2
DRAIN_BATCH = 200
# A drain that was queued but never ran (broker down, worker killed) stops holding its place
# after this; the catch-up job applies what it left meanwhile.
DRAIN_WAKE_SECONDS = 10
DRAIN_SECONDS = 300  # then a fresh task carries on (drain_callbacks' time limit is 900 s)


def drain_key(slot: int) -> str:
    return f"tracking:callback-drain:{slot}"


def wake_callback_drain(slot: int = 0) -> None:
    """Queue drain `slot` unless it is queued and not started yet (a push wakes the first).

    A drain frees its place (deletes its key) before it looks for pushes, so a push stored
    before that is found by it, and a push stored after it queues a drain again."""
    from shipping.tracking.tasks import drain_callbacks

    if slot >= CALLBACK_DRAINS:
        return
    try:
        taken = shared_cache().add(drain_key(slot), 1, timeout=DRAIN_WAKE_SECONDS)
    except Exception:  # Redis down: the catch-up job applies the push
        logger.warning("could not wake a callback drain", exc_info=True)
        return
    if taken:
        enqueue_on_commit(drain_callbacks, slot)


def callbacks_drain(*, slot: int = 0, batch: int = DRAIN_BATCH) -> int:
    """Apply the pushes waiting (first attempts; the catch-up job retries the others), oldest
    first, until none is left; returns how many were taken. A full batch wakes the next drain
    (slot + 1) to share the work: callback_process takes each row once, skipping locked ones."""
    done, started = 0, time.monotonic()
    while True:
        if time.monotonic() - started > DRAIN_SECONDS:
            wake_callback_drain(slot)  # a fresh task carries on, within its time limit
            return done
        shared_cache().delete(drain_key(slot))
        ids = list(
            ReceivedCallback.objects.filter(state=CallbackState.RECEIVED, attempts=0)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if len(ids) == batch:
            wake_callback_drain(slot + 1)
        for callback_id in ids:
            callback_process(callback_id=callback_id)
        done += len(ids)
        if len(ids) < batch:
            return done


def callbacks_catch_up(*, older_than: timedelta = timedelta(minutes=1), limit: int = 500) -> int:
    """Process pushes a worker never finished (the broker was down, a worker died)."""
    ids = list(
        ReceivedCallback.objects.filter(
            state=CallbackState.RECEIVED, received_at__lt=timezone.now() - older_than
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for callback_id in ids:
        callback_process(callback_id=callback_id)
    return len(ids)
