"""The order's status and what moves it: the one writer of Order.status, confirmation and
allocation, hold and resume, cancel, priority boost and the start of picking."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.db import atomic_with_retry
from orders import hooks
from orders.allocation import allocate_order, release_order
from orders.choices import (
    ORDER_TRANSITIONS,
    ApprovalDecision,
    EventKind,
    OrderStatus,
    PaymentStatus,
)
from orders.errors import InvalidTransition
from orders.held_writes import save_order
from orders.messages import notify_order_backordered, notify_order_confirmed
from orders.models import Order, OrderLine
from orders.notes import OrderNote, order_note
from orders.permissions import Actor, OrderAction
from orders.selectors import allocation_waits
from orders.services.repricing import update_priority
from orders.services.shared import (
    cancel_work_orders,
    lock_order_for,
    record_event,
)

S = OrderStatus


def order_transition(
    *,
    order: Order,
    to_status: str,
    actor: Actor = None,
    note: str = "",
    message: dict | None = None,
    data: dict | None = None,
    lines: list[OrderLine] | None = None,
) -> Order:
    """The only writer of Order.status. The caller holds the order's row lock; `lines`, when
    the caller holds the order's lines, saves looking for them."""
    assert transaction.get_connection().in_atomic_block, (
        "order_transition runs inside a transaction"
    )
    from_status = order.status
    if to_status not in ORDER_TRANSITIONS.get(from_status, ()):
        raise InvalidTransition(
            _("An order that is %(current)s cannot become %(target)s.")
            % {"current": S(from_status).label, "target": S(to_status).label}
        )
    if order.on_hold and to_status != S.CANCELLED:
        raise InvalidTransition(_("The order is on hold; resume it first."))
    if (
        to_status == S.CONFIRMED
        and order.review_round
        and order.approvals.filter(
            round=order.review_round, decision=ApprovalDecision.PENDING
        ).exists()
    ):
        raise InvalidTransition(_("The order still waits for approvals."))
    if to_status in (S.PENDING_REVIEW, S.CONFIRMED) and not (
        lines if lines is not None else order.lines.exists()
    ):
        raise InvalidTransition(_("An order needs at least one line."))
    order.status = to_status
    update = ["status", "updated_at"]
    if to_status == S.CONFIRMED and order.confirmed_at is None:
        order.confirmed_at = timezone.now()
        update.append("confirmed_at")
    save_order(order, update)
    record_event(
        order,
        EventKind.STATUS,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        message=message,
        data=data,
    )
    if to_status == S.DELIVERED:
        complete_when_settled(order, actor=actor)
    return order


def complete_when_settled(order: Order, *, actor: Actor = None) -> Order:
    """Delivered and paid → completed, whichever came last (the delivery here through
    order_transition, the payment through services.payment.order_set_payment_status). The
    caller holds the order lock. Any other status, or not fully paid: nothing happens."""
    if (
        order.status == S.DELIVERED
        and order.payment_status == PaymentStatus.PAID
        and not order.on_hold  # a held order moves on when it is resumed
    ):
        order_transition(
            order=order,
            to_status=S.COMPLETED,
            actor=actor,
            message=order_note(OrderNote.PAID_AND_DELIVERED),
        )
    return order


def apply_allocation(
    order: Order,
    *,
    actor: Actor,
    message: dict | None = None,
    lines: list[OrderLine] | None = None,
    fresh: bool = False,
) -> None:
    """Allocate what is missing and move the order to the pick queue, production or back-order.

    The caller holds the order lock. What was reserved travels in the status change's event;
    without a status change it gets an event of its own.
    """
    result = allocate_order(order, lines=lines, fresh=fresh)
    data: dict[str, Any] = {}
    if result.allocated or result.work_orders:
        data["allocated"] = {str(k): v for k, v in result.allocated.items()}
        data["work_orders"] = result.work_orders
    if result.short:
        data["short"] = {str(k): v for k, v in result.short.items()}
    if result.in_production:
        target = S.IN_PRODUCTION
    elif result.short:
        target = S.BACKORDERED
    else:
        target = S.ALLOCATED
    if order.status != target:
        order_transition(
            order=order, to_status=target, actor=actor, message=message, data=data or None
        )
        if target == S.BACKORDERED:
            notify_order_backordered(order, result.short)
    elif result.allocated or result.work_orders:
        record_event(order, EventKind.ALLOCATED, actor=actor, message=message, data=data)


def confirm_order(
    order: Order,
    *,
    actor: Actor,
    message: dict | None = None,
    lines: list[OrderLine] | None = None,
    later: list[Order] | None = None,
) -> None:
    """Confirm (no approval needed, or the last one given) and allocate unless it waits for
    its delivery date. The caller holds the order lock.

    `later`: the order is one of a batch of new orders (orders.services.batch_place) whose
    rows are not written yet; it is appended, and the batch runs the hooks once its rows are
    in and allocates after commit."""
    first_time = order.confirmed_at is None and order.review_round == 0
    order_transition(order=order, to_status=S.CONFIRMED, actor=actor, message=message, lines=lines)
    notify_order_confirmed(order)
    if allocation_waits(order):
        record_event(
            order, EventKind.DEFERRED, actor=actor, message=order_note(OrderNote.ALLOCATION_WAITS)
        )
    elif later is None:
        # Never confirmed nor reviewed before: nothing can be allocated yet.
        apply_allocation(order, actor=actor, lines=lines, fresh=first_time)
    if later is None:
        hooks.notify_order_confirmed(order, actor)
    else:
        later.append(order)


@transaction.atomic
def order_hold(*, actor: Actor, order: Order, reason: str) -> Order:
    """Stop the order moving on (it keeps its reservations) until it is resumed."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is held.")})
    order = lock_order_for(order, actor, OrderAction.HOLD)
    order.on_hold, order.hold_reason = True, reason[:200]
    order.save(update_fields=["on_hold", "hold_reason", "updated_at"])
    record_event(order, EventKind.HELD, actor=actor, note=reason)
    hooks.notify_order_held(order, actor)
    return order


@transaction.atomic
def order_resume(*, actor: Actor, order: Order) -> Order:
    order = lock_order_for(order, actor, OrderAction.RESUME)
    order.on_hold, order.hold_reason = False, ""
    order.save(update_fields=["on_hold", "hold_reason", "updated_at"])
    record_event(order, EventKind.RESUMED, actor=actor)
    hooks.notify_order_resumed(order, actor)
    return complete_when_settled(order, actor=actor)


@atomic_with_retry()
def order_cancel(*, actor: Actor, order: Order, reason: str) -> Order:
    """Cancel: work orders stop, every reservation goes back to stock, the reason is kept.

    A partially shipped order cancels only its remainder and goes on with what was
    dispatched (orders.services.fulfilment). The guards the apps above registered
    (hooks.order_cancel_guards) may refuse, e.g. when goods have already left.
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    order = lock_order_for(order, actor, OrderAction.CANCEL)
    if order.status == S.PARTIALLY_SHIPPED:
        from orders.services.fulfilment import cancel_remainder

        return cancel_remainder(order, actor=actor, reason=reason)
    if (refusal := hooks.cancel_refusal(order)) is not None:
        raise InvalidTransition(refusal)
    cancel_work_orders(actor, order.lines.values_list("pk", flat=True))
    released = release_order(order)
    order.approvals.filter(decision=ApprovalDecision.PENDING).update(
        decision=ApprovalDecision.WITHDRAWN
    )
    order.cancel_reason = reason[:200]
    order.on_hold = False
    order.save(update_fields=["cancel_reason", "on_hold"])
    order_transition(
        order=order, to_status=S.CANCELLED, actor=actor, note=reason, data={"released": released}
    )
    hooks.notify_order_cancelled(order, actor)
    return order


@transaction.atomic
def order_boost(*, actor: Actor, order: Order, boost: int, note: str = "") -> Order:
    """Set the manual part of the priority score (-100 to 100) and recompute the score."""
    if not -100 <= boost <= 100:
        raise ValidationError({"boost": _("Enter a boost between -100 and 100.")})
    order = lock_order_for(order, actor, OrderAction.BOOST)
    old = order.priority_score
    order.priority_boost = boost
    update_priority(order)
    order.save(update_fields=["priority_boost", "priority_score", "priority_reasons", "updated_at"])
    record_event(
        order,
        EventKind.PRIORITY,
        actor=actor,
        note=note,
        data={"boost": boost, "score": [old, order.priority_score]},
    )
    return order


@transaction.atomic
def order_start_picking(*, actor: Actor, order: Order) -> Order:
    """The warehouse begins to pick (allocated → picking): from now on the order can no
    longer be amended. Shipping (hooks.order_picking_started) creates the order's shipments
    and starts picking them, which moves the order to picking through
    order_follow_shipments, the same path as a shipment picked from the shipment page."""
    order = lock_order_for(order, actor, OrderAction.START_PICKING)
    order.picking_started_at = timezone.now()
    order.save(update_fields=["picking_started_at", "updated_at"])
    hooks.notify_order_picking_started(order, actor)
    order.refresh_from_db()
    if order.status != S.PICKING:
        raise InvalidTransition(_("Nothing of this order could be put in a shipment to pick."))
    return order
