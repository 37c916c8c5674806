"""Subscriptions: after dispatch, a carrier that pushes is asked to push the parcel's events
to us (shipping.tracking.services stores and applies what arrives)."""

from django.utils import timezone

from oms.tasks import enqueue_on_commit
from oms.types import User
from shipping.models import Shipment
from shipping.tracking.adapters import TrackingUnavailable, adapter_for
from shipping.tracking.services import (
    POLLED_STATUSES,
    breaker_for,
    callback_url,
    carrier_of,
    parcel_of,
)


def tracking_subscribe(*, shipment_id: int) -> str:
    """Ask the shipment's carrier to push its events (after dispatch). Raises
    TrackingUnavailable when the carrier is down or refuses, so the task retries later."""
    shipment = (
        Shipment.objects.select_related("order", "warehouse", "carrier_service__carrier")
        .filter(pk=shipment_id)
        .first()
    )
    if shipment is None or shipment.tracking_subscribed_at or not shipment.tracking_number:
        return "skipped"
    if shipment.status not in POLLED_STATUSES:
        return "skipped"
    carrier = carrier_of(shipment)
    if carrier is None:
        return "skipped"
    adapter = adapter_for(carrier)
    if not adapter.needs_subscription:
        return "skipped"
    breaker = breaker_for(carrier)
    if not breaker.allow():
        raise TrackingUnavailable(f"carrier {carrier.code}: circuit open")
    try:
        adapter.subscribe(parcel_of(shipment), callback_url(carrier))
    except TrackingUnavailable:
        breaker.record_failure()
        raise
    breaker.record_success()
    Shipment.objects.filter(pk=shipment.pk).update(tracking_subscribed_at=timezone.now())
    return "subscribed"


def subscribe_on_dispatch(shipment: Shipment, actor: User | None) -> None:
    """shipping.hooks.shipment_dispatched: subscribe after commit when the carrier pushes."""
    carrier = carrier_of(shipment)
    if carrier is not None and adapter_for(carrier).needs_subscription:
        from shipping.tracking.tasks import subscribe_shipment

        enqueue_on_commit(subscribe_shipment, shipment.pk)
