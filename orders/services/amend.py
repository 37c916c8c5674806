"""Amending a confirmed order before picking starts: quantities change, lines come and go,
only the difference is reserved or released, and the approval rules run again."""

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from inventory.models import StockLevel
from oms.db import atomic_with_retry
from oms.errors import ServiceError
from orders import hooks
from orders.allocation import release_line
from orders.choices import ApprovalReason, EventKind
from orders.models import Order, OrderLine
from orders.notes import OrderNote, order_note
from orders.permissions import Actor, OrderAction
from orders.reasons import reason
from orders.review import required_approvals
from orders.services.lifecycle import apply_allocation
from orders.services.repricing import reprice
from orders.services.review import open_review
from orders.services.shared import (
    LineRequest,
    build_lines,
    cancel_work_orders,
    check_customer_may_order,
    check_line_requests,
    lock_order_for,
    mark_edited,
    record_event,
)


@atomic_with_retry()
def order_amend(
    *,
    actor: Actor,
    order: Order,
    changes: dict[int, int],
    additions: Sequence[LineRequest] = (),
    note: str = "",
) -> Order:
    """Change quantities of a confirmed order not yet picked (0 removes a line) and add lines.

    The order is re-priced; only the difference is reserved or released; the approval rules
    run again on the new values; the timeline shows the change as a diff.
    """
    order = lock_order_for(order, actor, OrderAction.AMEND)
    refusal = hooks.amend_refusal(order)
    if refusal:
        raise ServiceError(refusal)
    lines = {line.line_no: line for line in order.lines.select_related("product")}
    new_lines = list(additions)
    for line_no in changes:
        if line_no not in lines:
            raise ServiceError(_("The order has no line %(line)s.") % {"line": line_no})
    for quantity in changes.values():
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            raise ValidationError({"quantity": _("Enter a quantity of 0 or more.")})
    # An amendment passes the checks of entry: what it adds or raises meets the same quantity
    # limit, active products and the actor's discount cap (a raised line keeps its discount,
    # so more of it is discount the actor gives).
    raised = [
        LineRequest(lines[n].product, quantity, lines[n].discount_percent)
        for n, quantity in changes.items()
        if quantity > lines[n].quantity
    ]
    check_line_requests(actor, raised + new_lines)
    if not new_lines and all(q == 0 for q in changes.values()) and set(changes) == set(lines):
        raise ServiceError(_("An order needs at least one line: cancel it instead."))
    if raised or new_lines:
        check_customer_may_order(order.customer)
    before: dict[str, Any] = {
        "total": order.total,
        "rules": {(r.level, r.role) for r in required_approvals(order)},
    }

    # Locks in the one order every service uses: order (held), work orders, then stock rows
    # in key order, all before anything changes.
    removed = [lines[n] for n, quantity in changes.items() if quantity == 0]
    cancel_work_orders(actor, [line.pk for line in removed])
    product_ids = {line.product_id for line in lines.values()} | {a.product.pk for a in new_lines}
    list(StockLevel.objects.select_for_update().filter(product_id__in=product_ids).order_by("pk"))

    diff = []
    for line_no, quantity in sorted(changes.items()):
        line = lines[line_no]
        if quantity == line.quantity:
            continue
        diff.append(
            {"line": line_no, "sku": line.product.sku, "from": line.quantity, "to": quantity}
        )
        reserved = sum(line.allocations.values_list("quantity", flat=True))
        if quantity < reserved:
            release_line(line, reserved - quantity)
        if quantity == 0:
            line.delete()
        else:
            line.quantity = quantity
            line.save(update_fields=["quantity"])
    if new_lines:
        last = max(lines) if lines else 0
        for line in OrderLine.objects.bulk_create(build_lines(order, new_lines, last + 1)):
            diff.append(
                {"line": line.line_no, "sku": line.product.sku, "from": 0, "to": line.quantity}
            )
    if not diff:
        raise ServiceError(_("Nothing changed."))
    reprice(order)
    mark_edited(order, actor)
    total = [str(before["total"]), str(order.total)]
    record_event(
        order, EventKind.AMENDED, actor=actor, note=note, data={"lines": diff, "total": total}
    )
    # The approvals given were for the old values. When the amended order would need approval
    # on entry and the amendment asks for more (a higher total, more units, new lines, or a
    # rule that did not apply before), every such approval is asked for again, with the diff.
    requirements = required_approvals(order)
    asks_more = (
        order.total > before["total"]
        or bool(raised or new_lines)
        or any((r.level, r.role) not in before["rules"] for r in requirements)
    )
    if requirements and asks_more:
        amended = reason(ApprovalReason.AMENDED, lines=diff, total=total)
        open_review(
            order,
            actor=actor,
            requirements=[replace(r, reasons=(*r.reasons, amended)) for r in requirements],
            message=order_note(OrderNote.AMENDMENT_NEEDS_APPROVAL),
        )
    else:
        apply_allocation(order, actor=actor, message=order_note(OrderNote.AMENDED))
    hooks.notify_order_amended(order, actor, diff)
    return order
