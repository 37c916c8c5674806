import logging

from celery import shared_task

from oms.tasks import retrying_task

logger = logging.getLogger(__name__)


def schedule_backorder_allocation(product_ids: set[int]) -> None:
    """Inventory hook: stock arrived; once committed, offer it to back-ordered orders."""
    from oms.tasks import enqueue_on_commit

    enqueue_on_commit(allocate_backorders, sorted(product_ids))


def schedule_work_order_allocation(work_order) -> None:
    """Inventory hook: a work order is done and its goods received. Only schedules the task:
    inventory holds its stock row lock here, and orders lock the order row before stock rows,
    so the reservation runs after commit in its own transaction (a lost task is caught up
    by the nightly job)."""
    from oms.tasks import enqueue_on_commit

    if work_order.order_line_id is not None:
        enqueue_on_commit(allocate_finished_work_order, work_order.pk)


def schedule_placed_allocation(order_ids: list[int]) -> None:
    """orders.services.batch_place: allocate the batch's confirmed orders once it commits
    (the nightly job allocates any confirmed order a lost task left)."""
    from oms.tasks import enqueue_on_commit

    if order_ids:
        enqueue_on_commit(allocate_placed_orders, order_ids)


@retrying_task(time_limit=1200, soft_time_limit=1170)
def allocate_placed_orders(order_ids: list[int]) -> int:
    """Allocate confirmed orders a batch placed, each in its own transaction, in the order
    they were placed; the number that moved on."""
    from orders.services import order_allocate_due

    return sum(order_allocate_due(order_id=order_id, note=None) for order_id in order_ids)


@retrying_task(time_limit=600, soft_time_limit=570)
def allocate_backorders(product_ids: list[int]) -> int:
    """Allocate newly arrived stock to back-ordered orders, highest priority first, then to
    the remainders of orders already partly shipped (shipping ships each as a shipment)."""
    from orders.selectors import backordered_orders_for, remainders_for
    from orders.services import order_allocate_more, order_allocate_remainder

    moved = 0
    for order_id in backordered_orders_for(product_ids):
        moved += order_allocate_more(order_id=order_id)
    for order_id in remainders_for(product_ids):
        moved += order_allocate_remainder(order_id=order_id)
    return moved


@retrying_task(time_limit=120, soft_time_limit=110)
def allocate_finished_work_order(work_order_id: int) -> bool:
    """Give a finished work order's goods to its order line; True when the order moved on."""
    from orders.selectors import order_for_work_order
    from orders.services import order_allocate_finished_work

    order_id = order_for_work_order(work_order_id)
    return order_id is not None and order_allocate_finished_work(order_id=order_id)


@shared_task(time_limit=240, soft_time_limit=220)
def offer_stock_to_backorders() -> int:
    """Every few minutes: the catch-up for an allocation task lost after a receipt (broker
    down), so back-orders do not wait for the nightly job. Idempotent: an order that gets
    nothing stays as it is."""
    from orders.selectors import backorders_with_free_stock
    from orders.services import order_allocate_more

    return sum(order_allocate_more(order_id=order_id) for order_id in backorders_with_free_stock())


@shared_task(time_limit=1800, soft_time_limit=1700)
def refresh_priorities() -> int:
    """Nightly: urgency grows with time; then allocate confirmed orders now due, and catch up
    on the allocation tasks a broker outage lost."""
    from orders.selectors import (
        backordered_orders_for,
        confirmed_orders_due,
        orders_with_finished_work_orders,
        remainders_for,
    )
    from orders.services import (
        order_allocate_due,
        order_allocate_finished_work,
        order_allocate_more,
        order_allocate_remainder,
    )
    from orders.services import refresh_priorities as refresh

    changed = refresh()
    for order_id in confirmed_orders_due():
        order_allocate_due(order_id=order_id)
    # Catch up on tasks lost while the broker was unreachable: finished work orders, and
    # stock that arrived for back-orders.
    for order_id in orders_with_finished_work_orders():
        order_allocate_finished_work(order_id=order_id)
    for order_id in backordered_orders_for(None):
        order_allocate_more(order_id=order_id)
    for order_id in remainders_for(None):
        order_allocate_remainder(order_id=order_id)
    return changed


@shared_task(time_limit=1800, soft_time_limit=1700)
def check_reservations() -> int:
    """Nightly: every StockLevel.reserved must equal the sum of its open allocations and
    work orders' open component reservations."""
    from orders.selectors import reservation_drift

    drift = list(reservation_drift())
    for level in drift:
        logger.error(
            "reservation drift: stock level %s reserved=%s allocations and reservations=%s",
            level.pk,
            level.reserved,
            level.allocated,
        )
    return len(drift)


@retrying_task(time_limit=1800, soft_time_limit=1740)
def refresh_sales_summaries() -> int:
    """Nightly: rewrite the sales summaries of the last week (orders.analytics)."""
    from orders.analytics import sales_summaries_refresh_recent

    return sales_summaries_refresh_recent()


@retrying_task(time_limit=1800, soft_time_limit=1740)
def refresh_sales_summary_range(start: str, end: str, actor_id: int | None = None) -> int:
    """A manager's refresh of a range of days (ISO dates), in the worker."""
    from datetime import date

    from django.contrib.auth import get_user_model

    from orders.analytics import sales_summaries_refresh

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    days = sales_summaries_refresh(
        start=date.fromisoformat(start), end=date.fromisoformat(end), actor=actor
    )
    return len(days)


@retrying_task(time_limit=1800, soft_time_limit=1740)
def refresh_customer_analytics() -> dict[str, int]:
    """Nightly: RFM segments, 12-month spend and tiers of every customer (orders.rfm)."""
    from orders.rfm import customer_analytics_refresh

    return customer_analytics_refresh()


# Inbound deliveries (orders.intake.inbound) ------------------------------------------------


@shared_task(time_limit=120, soft_time_limit=100)
def process_inbound(delivery_id: int) -> str:
    """Turn one stored webhook or pulled order into an order. Running it twice places one."""
    from orders.intake.inbound import delivery_process

    return delivery_process(delivery_id=delivery_id)


@shared_task(time_limit=600, soft_time_limit=540)
def catch_up_inbound() -> int:
    """Beat: process the deliveries no worker finished (the broker was down, a worker died)."""
    from orders.intake.inbound import deliveries_catch_up

    return deliveries_catch_up()


@shared_task(time_limit=600, soft_time_limit=540)
def pull_marketplaces() -> dict[str, int]:
    """Beat: read every active marketplace channel's new and changed orders; an unreachable
    marketplace stops only its own pull (the cursor stays where the last stored page left it)."""
    from orders.intake.inbound import PullFailed, channel_pull, pulled_channels

    stored = {}
    for channel in pulled_channels():
        try:
            stored[channel.code] = channel_pull(channel=channel).stored
        except PullFailed as exc:
            logger.warning("pulling %s: %s", channel.code, exc)
    return stored
