import logging

from celery import shared_task

logger = logging.getLogger(__name__)


def schedule_backorder_allocation(product_ids: set[int]) -> None:
    """Inventory hook: stock arrived; once committed, offer it to back-ordered orders."""
    from oms.tasks import enqueue_on_commit

    enqueue_on_commit(allocate_backorders, sorted(product_ids))


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=5,
    time_limit=600,
    soft_time_limit=570,
)
def allocate_backorders(product_ids: list[int]) -> int:
    """Allocate newly arrived stock to back-ordered orders, highest priority first."""
    from orders.services import backordered_orders_for, order_allocate_more

    moved = 0
    for order_id in backordered_orders_for(product_ids):
        moved += order_allocate_more(order_id=order_id)
    return moved


@shared_task(time_limit=1800, soft_time_limit=1700)
def refresh_priorities() -> int:
    """Nightly: urgency grows with time; then allocate confirmed orders now due."""
    from orders.services import (
        backordered_orders_for,
        confirmed_orders_due,
        order_allocate_due,
        order_allocate_more,
    )
    from orders.services import refresh_priorities as refresh

    changed = refresh()
    for order_id in confirmed_orders_due():
        order_allocate_due(order_id=order_id)
    # Catch up on stock that arrived while the broker was unreachable.
    for order_id in backordered_orders_for(None):
        order_allocate_more(order_id=order_id)
    return changed


@shared_task(time_limit=1800, soft_time_limit=1700)
def check_reservations() -> int:
    """Nightly: every StockLevel.reserved must equal the sum of its allocations."""
    from orders.selectors import reservation_drift

    drift = list(reservation_drift())
    for level in drift:
        logger.error(
            "reservation drift: stock level %s reserved=%s allocations=%s",
            level.pk,
            level.reserved,
            level.allocated,
        )
    return len(drift)
