"""Goods that become available to waiting orders: stock arriving for back-orders, the delivery
date of a far-ahead order coming near, and made-to-order goods leaving production.

These run in workers and nightly jobs, one order per transaction, and take their locks in the
same order as every other order service: the order row first, then stock rows by key.
"""

from django.db.models import Q

from inventory.choices import WorkOrderStage
from inventory.models import StockLevel, WorkOrder
from oms.db import atomic_with_retry
from orders.allocation import allocated_by_line, reserve_many
from orders.choices import EventKind, OrderStatus
from orders.models import Allocation
from orders.notes import OrderNote, order_note
from orders.permissions import Actor
from orders.selectors import allocation_waits
from orders.services.lifecycle import apply_allocation
from orders.services.shared import lock_order, record_event

S = OrderStatus


@atomic_with_retry()
def order_allocate_more(*, order_id: int, actor: Actor = None) -> bool:
    """Try again to allocate a back-ordered order; True when it moved on."""
    order = lock_order(order_id)
    if order.status != S.BACKORDERED or order.on_hold:
        return False
    before = order.status
    apply_allocation(order, actor=actor, message=order_note(OrderNote.STOCK_ARRIVED))
    return order.status != before


@atomic_with_retry()
def order_allocate_due(*, order_id: int, note: OrderNote | None = OrderNote.DELIVERY_NEAR) -> bool:
    """Allocate a confirmed order whose requested date has come near (or, `note` None, one a
    batch placed: orders.services.batch_place); True when it moved on."""
    order = lock_order(order_id)
    if order.status != S.CONFIRMED or order.on_hold or allocation_waits(order):
        return False
    apply_allocation(order, actor=None, message=order_note(note) if note else None)
    return True


@atomic_with_retry()
def order_allocate_finished_work(*, order_id: int) -> bool:
    """Reserve the goods of the order's finished work orders for their lines; once no
    made-to-order line waits any more, allocate the rest and move the order on.

    Idempotent: a line already holding its goods is skipped, so a repeated task or the nightly
    catch-up does nothing twice. A held order waits until it is resumed. True when the order
    moved on.
    """
    order = lock_order(order_id)
    if order.status not in (S.IN_PRODUCTION, S.BACKORDERED) or order.on_hold:
        return False
    made_to_order = [line for line in order.lines.all() if line.made_to_order]
    have = allocated_by_line(made_to_order)
    missing = {line.pk: line.quantity - have.get(line.pk, 0) for line in made_to_order}
    # (line id, work order) for each waiting line whose work order is done.
    finished = [
        (work_order.order_line_id, work_order)
        for work_order in WorkOrder.objects.filter(
            order_line_id__in=[pk for pk, units in missing.items() if units > 0],
            stage=WorkOrderStage.DONE,
        ).order_by("pk")
        if work_order.order_line_id is not None
    ]
    if finished:
        # Made-to-order goods belong to their line: take them from the work order's warehouse.
        pairs = Q()
        for _line_id, work_order in finished:
            pairs |= Q(product_id=work_order.product_id, warehouse_id=work_order.warehouse_id)
        levels = {
            (level.product_id, level.warehouse_id): level
            for level in StockLevel.objects.select_for_update().filter(pairs).order_by("pk")
        }
        reserve: dict[int, int] = {}
        taken: list[tuple[int, WorkOrder, StockLevel, int]] = []
        for line_id, work_order in finished:
            level = levels.get((work_order.product_id, work_order.warehouse_id))
            if level is None:
                continue
            free = level.on_hand - level.reserved - reserve.get(level.pk, 0)
            take = min(missing[line_id], free)
            if take > 0:
                reserve[level.pk] = reserve.get(level.pk, 0) + take
                missing[line_id] -= take
                taken.append((line_id, work_order, level, take))
        reserve_many(reserve)
        for line_id, work_order, level, take in taken:
            allocation, created = Allocation.objects.get_or_create(
                line_id=line_id, stock_level=level, defaults={"quantity": take}
            )
            if not created:
                allocation.quantity += take
                allocation.save(update_fields=["quantity"])
            record_event(
                order,
                EventKind.WORK_ORDER,
                message=order_note(OrderNote.WORK_ORDER_DONE, number=work_order.number),
            )
    if any(units > 0 for units in missing.values()):
        return False
    before = order.status
    apply_allocation(order, actor=None, message=order_note(OrderNote.MADE_TO_ORDER_READY))
    return order.status != before
