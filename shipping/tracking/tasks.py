"""Tracking's Celery tasks (queue "tracking", see CELERY_TASK_ROUTES): thin, idempotent,
taking ids and calling the services."""

import logging

from celery import shared_task

from oms.resilience import backoff_delay

logger = logging.getLogger(__name__)

SUBSCRIBE_ATTEMPTS = 8


@shared_task(time_limit=60, soft_time_limit=50)
def process_callback(callback_id: int) -> str:
    """Apply one stored push (queued by earlier versions; pushes now wake drain_callbacks).
    Running it twice applies it once."""
    from shipping.tracking.services import callback_process

    return callback_process(callback_id=callback_id)


@shared_task(time_limit=900, soft_time_limit=870)
def drain_callbacks(slot: int = 0) -> int:
    """Apply the stored pushes waiting, until none is left (a push wakes it)."""
    from shipping.tracking.services import callbacks_drain

    return callbacks_drain(slot=slot)


@shared_task(time_limit=600, soft_time_limit=540)
def catch_up_callbacks() -> int:
    """Beat: apply the pushes no worker finished (the broker was down, a worker died)."""
    from shipping.tracking.services import callbacks_catch_up

    return callbacks_catch_up()


@shared_task(bind=True, max_retries=SUBSCRIBE_ATTEMPTS, time_limit=60, soft_time_limit=50)
def subscribe_shipment(self, shipment_id: int) -> str:
    """Ask the carrier to push a dispatched parcel's events; retried with exponential backoff
    while the carrier is down (the poll covers the parcel meanwhile)."""
    from shipping.tracking.adapters import TrackingUnavailable
    from shipping.tracking.subscriptions import tracking_subscribe

    try:
        return tracking_subscribe(shipment_id=shipment_id)
    except TrackingUnavailable as exc:
        delay = backoff_delay(self.request.retries + 1, base=30, cap=3600, jitter=0.2)
        logger.warning("subscribing shipment %s: %s; again in %.0f s", shipment_id, exc, delay)
        raise self.retry(exc=exc, countdown=delay) from exc


@shared_task(time_limit=900, soft_time_limit=870)
def poll_carrier(carrier_id: int, shipment_ids: list[int]) -> dict[str, int]:
    """Ask one carrier about its parcels; an unreachable carrier stops only its own task."""
    from shipping.models import Carrier
    from shipping.tracking.polling import tracking_poll

    carrier = Carrier.objects.filter(pk=carrier_id).first()
    if carrier is None:
        return {}
    result = tracking_poll(carrier=carrier, shipment_ids=shipment_ids).as_dict()
    logger.info("tracking poll %s: %s", carrier.code, result)
    return result


# A poll task takes at most this many parcels, so carriers share the workers fairly.
POLL_CHUNK = 100


@shared_task(time_limit=120, soft_time_limit=110)
def poll_tracking() -> int:
    """Beat: the reconciliation poll (push is primary). Each carrier's oldest-checked parcels
    go out in tasks of their own, so one carrier down never delays the others."""
    from shipping.tracking.polling import tracking_poll_plan

    queued = 0
    for carrier_id, ids in tracking_poll_plan().items():
        for start in range(0, len(ids), POLL_CHUNK):
            poll_carrier.delay(carrier_id, ids[start : start + POLL_CHUNK])
            queued += 1
    return queued
