import logging

from celery import shared_task

# Celery finds the tasks of <app>.tasks; tracking's live in their own module.
from shipping.tracking import tasks as tracking_tasks  # noqa: F401

logger = logging.getLogger(__name__)


@shared_task(time_limit=1800, soft_time_limit=1700)
def check_fulfilment() -> int:
    """Nightly: every order's fulfilment status must be what its shipments say (the
    denormalised field against its source, like the reservation and ledger checks)."""
    from shipping.selectors import fulfilment_drift

    drift = fulfilment_drift()
    for order, expected in drift:
        logger.error(
            "fulfilment drift: order %s is %s, its shipments say %s",
            order.number,
            order.fulfilment_status,
            expected,
        )
    return len(drift)
