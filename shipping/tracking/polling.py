"""The reconciliation poll (push is primary): ask a carrier about its parcels on the way and
apply the answers through the same services as a push (shipping.tracking.services).

Within one poll task the carrier is asked over OMS_TRACKING_POLL_CONNECTIONS connections at
once, a round's requests taking their places in the carrier's rate limit first and the
circuit breaker deciding before each round (a half-open circuit lets one trial request
through alone). The
answers are then stored: what is stored already is left out with one query for the batch, a
parcel with nothing new is only marked checked (one UPDATE for all of them), and the others
are applied together in one transaction, their orders and shipments locked in key order:
one INSERT for their events, one query for their latest, the status changes through
shipping.services.shipments_transition (event, audit row, hooks and message each, written
together) and their orders following in one go.
"""

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from oms.db import atomic_with_retry
from oms.reference_cache import reference_snapshot
from shipping.models import Carrier, Shipment, TrackingEvent
from shipping.services import lock_shipment, lock_shipments
from shipping.tracking.adapters import (
    CarrierEvent,
    TrackingAdapter,
    TrackingUnavailable,
    adapter_for,
)
from shipping.tracking.services import (
    POLLED_STATUSES,
    Applied,
    _apply,
    _apply_many,
    breaker_for,
    parcel_of,
    rate_limit_for,
)
from shipping.tracking.statuses import TrackingSource

logger = logging.getLogger(__name__)


def polled_carriers() -> list[Carrier]:
    """Active carriers whose integration answers queries."""
    return [
        carrier
        for carrier in Carrier.objects.filter(active=True).order_by("pk")
        if adapter_for(carrier).supports_query
    ]


def due_for_poll() -> Q:
    """Never checked, or not for OMS_TRACKING_POLL_MINUTES (a task queued twice asks once)."""
    due = timezone.now() - timedelta(minutes=settings.OMS_TRACKING_POLL_MINUTES)
    return Q(tracking_checked_at__isnull=True) | Q(tracking_checked_at__lt=due)


def shipments_due_for_poll(carrier: Carrier, *, limit: int) -> list[int]:
    """The carrier's parcels on the way that were not checked for a while, oldest checked
    (never checked first)."""
    return list(
        Shipment.objects.filter(
            due_for_poll(),
            status__in=POLLED_STATUSES,
            carrier=carrier.name,
        )
        .exclude(tracking_number="")
        .order_by("tracking_checked_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass
class PollResult:
    checked: int = 0
    events: int = 0
    moved: int = 0
    failed: int = 0
    left: int = 0  # not asked this time (circuit open, rate limit): first next time

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def tracking_poll(*, carrier: Carrier, shipment_ids: Sequence[int]) -> PollResult:
    """Ask the carrier about these shipments within its rate limit, and apply
    the answers. A carrier that fails opens its circuit: what is left stays due (its
    tracking_checked_at unchanged), so nothing is lost and it comes first next time."""
    adapter = adapter_for(carrier)
    result = PollResult()
    if not adapter.supports_query:
        return result
    breaker, limit = breaker_for(carrier), rate_limit_for(carrier)
    shipments = list(
        Shipment.objects.select_related("order", "warehouse")
        .filter(due_for_poll(), pk__in=shipment_ids, status__in=POLLED_STATUSES)
        .exclude(tracking_number="")
        .order_by("tracking_checked_at", "pk")
    )
    answers: list[tuple[Shipment, list[CarrierEvent]]] = []
    width = max(1, settings.OMS_TRACKING_POLL_CONNECTIONS)
    with ThreadPoolExecutor(max_workers=width) as pool:
        index = 0
        while index < len(shipments):
            # A round of requests at once while the circuit is closed (its state read once
            # and the rate limit's places taken together for the round); the trial request
            # of a half-open circuit goes alone, so its answer decides for the rest.
            closed = breaker.state().state == "closed"
            if not closed and not breaker.allow():
                break
            places = limit.acquire_many(min(width if closed else 1, len(shipments) - index))
            if not places:
                break
            round_ = shipments[index : index + places]
            index += len(round_)
            outcomes = pool.map(lambda shipment: _ask(adapter, shipment), round_)
            succeeded = False  # successes in a row are recorded once, before the next failure
            for shipment, outcome in zip(round_, outcomes, strict=True):
                if isinstance(outcome, TrackingUnavailable):
                    if succeeded:
                        breaker.record_success()
                        succeeded = False
                    breaker.record_failure()
                    result.failed += 1
                    logger.warning(
                        "poll %s %s: %s", carrier.code, shipment.tracking_number, outcome
                    )
                else:
                    succeeded = True
                    answers.append((shipment, outcome))
            if succeeded:
                breaker.record_success()
        result.left = len(shipments) - index
    _poll_store(carrier, answers, result)
    return result


def _ask(adapter: TrackingAdapter, shipment: Shipment) -> list[CarrierEvent] | TrackingUnavailable:
    """One request (in a pool thread: no database here)."""
    try:
        return adapter.query(parcel_of(shipment))
    except TrackingUnavailable as exc:
        return exc


def _poll_store(
    carrier: Carrier, answers: Sequence[tuple[Shipment, list[CarrierEvent]]], result: PollResult
) -> None:
    """Apply a poll's answers. Events stored already are left out with one query for the
    whole batch; a shipment with nothing new is only marked checked (one UPDATE for all),
    the others are applied together, in one transaction under their locks."""
    if not answers:
        return
    known = set(
        TrackingEvent.objects.filter(
            shipment_id__in=[shipment.pk for shipment, _events in answers], carrier=carrier
        ).values_list("shipment_id", "tracking_number", "event_time", "raw_code")
    )
    unchanged, changed = [], []
    for shipment, events in answers:
        new = [
            event
            for event in events
            if (shipment.pk, event.tracking_number, event.event_time, event.raw_code) not in known
        ]
        result.checked += 1
        if new:
            changed.append((shipment.pk, new))
        else:
            unchanged.append(shipment.pk)
    if unchanged:
        Shipment.objects.filter(pk__in=unchanged).update(tracking_checked_at=timezone.now())
    if not changed:
        return
    try:
        applied = list(_poll_apply_many(carrier, changed).values())
    except Exception:
        # One shipment the batch cannot take (a hook refusing, a broken row) must not hold
        # back the others: each is applied on its own; one that fails again stays due.
        logger.exception("poll %s: applying %d answers together failed", carrier.code, len(changed))
        applied = []
        for shipment_id, events in changed:
            try:
                applied.append(_poll_apply(shipment_id, carrier, events))
            except Exception:
                logger.exception("poll %s: shipment %s not applied", carrier.code, shipment_id)
    for one in applied:
        result.events += one.stored
        result.moved += one.moved_to is not None


@atomic_with_retry()
def _poll_apply_many(
    carrier: Carrier, changed: Sequence[tuple[int, Sequence[CarrierEvent]]]
) -> dict[int, Applied]:
    """The new events of a poll's shipments, in one transaction: the orders and shipments
    locked in key order, the events in one INSERT, the status changes, audit rows, messages
    and the orders' moves written together."""
    events_of = dict(changed)
    with reference_snapshot():
        locked = lock_shipments(list(events_of))
        applied = _apply_many(
            [(shipment, events_of[shipment.pk]) for shipment in locked],
            carrier,
            TrackingSource.POLL,
        )
    Shipment.objects.filter(pk__in=list(events_of)).update(tracking_checked_at=timezone.now())
    return applied


@atomic_with_retry()
def _poll_apply(shipment_id: int, carrier: Carrier, events: Sequence[CarrierEvent]) -> Applied:
    locked = lock_shipment(shipment_id)
    applied = _apply(locked, carrier, events, TrackingSource.POLL)
    Shipment.objects.filter(pk=shipment_id).update(tracking_checked_at=timezone.now())
    return applied


def tracking_poll_plan(*, batch: int | None = None) -> dict[int, list[int]]:
    """{carrier id: shipment ids} for one poll run: per carrier its oldest-checked parcels."""
    size = batch or settings.OMS_TRACKING_POLL_BATCH
    plan = {}
    for carrier in polled_carriers():
        ids = shipments_due_for_poll(carrier, limit=size)
        if ids:
            plan[carrier.pk] = ids
    return plan
