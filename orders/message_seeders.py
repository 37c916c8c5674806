"""Demo: what customers were told about the latest demo orders (orders.messages), in the
outbox as sent at the moments the orders moved: received while in review, confirmed, waiting
for stock, made-to-order progress. One confirmation bounced (a mailbox that no longer
exists), so the communication log shows a failure; customers who opted out show messages
not sent, with the reason."""

from copy import copy
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from inventory.choices import WorkOrderStage
from inventory.models import WorkOrder
from oms.demo import SeedContext, messages_as_told
from oms.messaging import messages_allowed
from oms.models import OutboxMessage
from orders.choices import PLATFORM_KINDS, OrderStatus
from orders.messages import (
    notify_order_backordered,
    notify_order_confirmed,
    notify_order_received,
    notify_work_order_stage,
)
from orders.models import Order, OrderEvent, OrderLine

# The latest demo orders of each kind whose messages the outbox shows.
TOLD_ORDERS = 10
STAGES = (WorkOrderStage.PRODUCTION, WorkOrderStage.QUALITY_CHECK, WorkOrderStage.DONE)


def _told_orders():
    return (
        Order.objects.filter(external_reference__startswith="DEMO-")
        .exclude(channel__kind__in=PLATFORM_KINDS)
        .select_related("customer")
    )


def seed_order_messages(context: SeedContext) -> None:
    """Idempotent: a message already written for an order's event is not written again."""
    written: dict[int, datetime] = {}

    def keep(row: OutboxMessage | None, moment: datetime | None) -> None:
        if row is not None and moment is not None:  # None: told before
            written[row.pk] = moment

    orders = _told_orders()
    with transaction.atomic(), messages_allowed():
        for order in orders.filter(review_round__gt=0).order_by("-created_at")[:TOLD_ORDERS]:
            keep(notify_order_received(order), order.created_at + timedelta(minutes=1))
        for order in orders.filter(confirmed_at__isnull=False).order_by("-confirmed_at")[
            :TOLD_ORDERS
        ]:
            keep(notify_order_confirmed(order), order.confirmed_at)
        _backorders(orders, keep)
        _work_orders(keep)
        bounced = _one_bounce(written)
        sent = messages_as_told(written, failed=bounced)
    if written:
        context.say(f"{len(written)} messages about the latest orders ({sent} sent)")


def _backorders(orders, keep) -> None:
    for order in orders.filter(status=OrderStatus.BACKORDERED).order_by("-created_at")[
        :TOLD_ORDERS
    ]:
        event = (
            OrderEvent.objects.filter(order=order, to_status=OrderStatus.BACKORDERED)
            .order_by("-created_at")
            .first()
        )
        short = (
            {int(k): v for k, v in ((event.data or {}).get("short") or {}).items()} if event else {}
        )
        if short:
            keep(notify_order_backordered(order, short), event.created_at)


def _work_orders(keep) -> None:
    """Each stage a made-to-order line's work order passed, a day apart after it started."""
    work_orders = WorkOrder.objects.filter(order_line_id__isnull=False, stage__in=STAGES).order_by(
        "-created_at"
    )[: TOLD_ORDERS * 2]
    demo_lines = set(
        OrderLine.objects.filter(
            pk__in=[w.order_line_id for w in work_orders],
            order__external_reference__startswith="DEMO-",
        ).values_list("pk", flat=True)
    )
    now = timezone.now()
    for work_order in work_orders:
        if work_order.order_line_id not in demo_lines:
            continue
        reached = STAGES[: STAGES.index(WorkOrderStage(work_order.stage)) + 1]
        for step, stage in enumerate(reached, start=1):
            at_stage = copy(work_order)
            at_stage.stage = stage
            moment = min(work_order.created_at + timedelta(days=step), now)
            if stage == WorkOrderStage.DONE and work_order.done_at:
                moment = work_order.done_at
            keep(notify_work_order_stage(at_stage), moment)


def _one_bounce(written: dict[int, datetime]) -> list[int]:
    """The latest confirmation could not be delivered: the log shows what a failure looks
    like (a mailbox or a phone number that no longer exists)."""
    row = (
        OutboxMessage.objects.filter(pk__in=list(written), event_code="order.confirmed")
        .order_by("-pk")
        .first()
    )
    return [row.pk] if row else []
