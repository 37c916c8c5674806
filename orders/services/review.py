"""Review: a submitted draft goes to the reviewers its approval rules name, level by level,
or is confirmed at once when no rule applies."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.db import atomic_with_retry
from oms.reference_cache import reference_snapshot
from orders.allocation import release_order
from orders.choices import ApprovalDecision, EventKind, OrderStatus
from orders.errors import InvalidTransition
from orders.held_writes import save_order, writes_at_end
from orders.messages import notify_order_received
from orders.models import Approval, Order, OrderLine
from orders.notes import OrderNote, order_note
from orders.permissions import Actor, OrderAction
from orders.review import CustomerFacts, Requirement, required_approvals
from orders.selectors import current_approvals, user_roles
from orders.services.lifecycle import confirm_order, order_transition
from orders.services.repricing import reprice
from orders.services.shared import (
    check_customer_may_order,
    lock_order_for,
    record_event,
)

S = OrderStatus


@atomic_with_retry()
@writes_at_end()
@reference_snapshot()
def order_submit(*, actor: Actor, order: Order) -> Order:
    """Send a draft on: to the reviewers when a rule asks for it, otherwise confirm it."""
    order = lock_order_for(order, actor, OrderAction.SUBMIT)
    submit_draft(order, actor=actor)
    return order


def submit_draft(
    order: Order,
    *,
    actor: Actor,
    priced: bool = False,
    lines: list[OrderLine] | None = None,
    facts: CustomerFacts | None = None,
    later: list[Order] | None = None,
) -> None:
    """Submit a locked draft. `priced` and `lines` save work when the caller has just priced
    and inserted the lines (order_place); `facts` and `later` for a batch of new orders
    (orders.services.batch_place, see confirm_order)."""
    if order.status != S.DRAFT:
        raise InvalidTransition(_("Only a draft can be submitted."))
    check_customer_may_order(order.customer, order.channel_id or "")
    if not priced:
        lines = list(order.lines.select_related("product").order_by("line_no"))
        reprice(order, lines)
    requirements = required_approvals(order, lines, facts)
    if requirements:
        open_review(
            order,
            actor=actor,
            requirements=requirements,
            message=order_note(OrderNote.SUBMITTED_FOR_REVIEW),
        )
        notify_order_received(order)
    else:
        confirm_order(
            order,
            actor=actor,
            message=order_note(OrderNote.SUBMITTED_NO_REVIEW),
            lines=lines,
            later=later,
        )


def open_review(
    order: Order, *, actor: Actor, requirements: list[Requirement], message: dict | None = None
) -> None:
    """Start a new review round with one pending approval per requirement."""
    order.review_round += 1
    save_order(order, ["review_round"])
    Approval.objects.bulk_create(
        [
            Approval(
                order=order,
                rule_id=r.rule_id,
                reasons=list(r.reasons),
                round=order.review_round,
                level=r.level,
                required_role=r.role,
            )
            for r in requirements
        ]
    )
    order_transition(
        order=order,
        to_status=S.PENDING_REVIEW,
        actor=actor,
        message=message,
        data={
            "approvals": [
                {"role": r.role, "level": r.level, "reasons": list(r.reasons)} for r in requirements
            ]
        },
    )


def record_decision(order: Order, *, actor: Actor, decision: str, note: str) -> Approval:
    """Write the actor's decision on the approval that waits for one of their roles. The caller
    has checked with ensure_action_allowed that there is one."""
    approval = (
        current_approvals(order).filter(required_role__in=user_roles(actor)).order_by("pk").first()
    )
    assert approval is not None, "ensure_action_allowed(APPROVE/REJECT) runs first"
    approval.decision, approval.decided_by, approval.decided_at, approval.note = (
        decision,
        actor,
        timezone.now(),
        note,
    )
    approval.save(update_fields=["decision", "decided_by", "decided_at", "note"])
    return approval


@atomic_with_retry()
@writes_at_end()
def order_approve(*, actor: Actor, order: Order, note: str = "") -> Order:
    """Approve one level; the last approval of the round confirms the order."""
    order = lock_order_for(order, actor, OrderAction.APPROVE)
    approval = record_decision(order, actor=actor, decision=ApprovalDecision.APPROVED, note=note)
    record_event(
        order,
        EventKind.APPROVED,
        actor=actor,
        note=note,
        data={
            "role": approval.required_role,
            "level": approval.level,
            "reasons": approval.reasons,
        },
    )
    if not order.approvals.filter(
        round=order.review_round, decision=ApprovalDecision.PENDING
    ).exists():
        confirm_order(order, actor=actor, message=order_note(OrderNote.ALL_APPROVED))
    return order


@atomic_with_retry()
def order_reject(*, actor: Actor, order: Order, note: str) -> Order:
    """Reject: the order goes back to draft with the reason on its timeline."""
    if not note.strip():
        raise ValidationError({"note": _("Say why the order is rejected.")})
    order = lock_order_for(order, actor, OrderAction.REJECT)
    approval = record_decision(order, actor=actor, decision=ApprovalDecision.REJECTED, note=note)
    order.approvals.filter(round=order.review_round, decision=ApprovalDecision.PENDING).update(
        decision=ApprovalDecision.WITHDRAWN
    )
    record_event(
        order,
        EventKind.REJECTED,
        actor=actor,
        note=note,
        data={"role": approval.required_role, "level": approval.level},
    )
    # Reservations of an amended order that is rejected on re-review go back to stock.
    release_order(order)
    order_transition(order=order, to_status=S.DRAFT, actor=actor, note=note)
    return order
