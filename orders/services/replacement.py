"""Orders after a return (after-sales calls these; orders never imports after-sales).

- `order_replacement_place`: goods sent again at no charge (an exchange, or a repaired item)
  as an order of its own for the same customer and address, linked to the original
  (`Order.replaces`). Its lines carry the price list's unit price with a 100 % discount, so
  the invoice shows what the goods are worth and asks for nothing (net 0, tax 0: a valid zero
  fapiao line), and every later reprice (an amendment) keeps it free; a unit price of 0 would
  be overwritten by the price list on the next reprice. It ships without a shipping fee
  (repricing) and with a priority boost, and is placed like any order (submit: review rules,
  confirmation, allocation). A repair's lines are made to order: the repair is the work
  order that allocation would create, made at the warehouse the goods came back to, and once
  it is done its goods are reserved for the line and shipped, as any made-to-order line.
- `order_refund_open` / `order_refund_settle`: the order is `refunding` while a return to be
  refunded is open, and `completed` again once it is settled.

Each writes an event on the original order's timeline (and the new order's).
"""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from inventory.models import Warehouse
from inventory.work_orders import work_order_create
from oms.db import atomic_with_retry
from oms.errors import ServiceError
from orders.choices import EventKind, OrderStatus
from orders.models import Order
from orders.notes import OrderNote, order_note
from orders.permissions import Actor
from orders.services.draft import create_draft
from orders.services.lifecycle import order_transition
from orders.services.review import submit_draft
from orders.services.shared import LineRequest, lock_order, record_event

S = OrderStatus
HUNDRED = Decimal(100)
# Replacements jump the warehouse queue: the customer has waited once already.
REPLACEMENT_BOOST = 50
SHIP_FIELDS = (
    "ship_recipient",
    "ship_phone",
    "ship_region",
    "ship_city",
    "ship_district",
    "ship_street",
    "ship_postal_code",
    "ship_latitude",
    "ship_longitude",
)
# What a replacement may be made for: goods that reached the customer.
REPLACEABLE = frozenset(
    {S.SHIPPED, S.IN_TRANSIT, S.DELIVERED, S.COMPLETED, S.REFUNDING, S.PARTIALLY_SHIPPED}
)


@atomic_with_retry()
def order_replacement_place(
    *,
    actor: Actor,
    original: Order,
    lines: Sequence[LineRequest],
    reference: str,
    repair_at: Warehouse | None = None,
) -> Order:
    """Place an order at no charge that sends `lines` again to the customer of `original`
    (see the module's docstring). `repair_at`: the goods are the customer's own, repaired at
    that warehouse (a work order per line) before they go back. `reference` (the return's
    number) goes on both timelines. Returns the new order, confirmed and allocated or in
    production (or in review, when the approval rules ask for it)."""
    original = lock_order(original)
    if original.status not in REPLACEABLE:
        raise ServiceError(
            _("Order %(order)s is %(status)s: nothing of it reached the customer to replace.")
            % {"order": original, "status": original.get_status_display()}
        )
    requests = [
        LineRequest(line.product, line.quantity, discount_percent=HUNDRED) for line in lines
    ]
    if not requests:
        raise ServiceError(_("Choose at least one line to send again."))
    draft = create_draft(
        actor=actor,
        customer=original.customer,
        lines=requests,
        notes=_("Sent at no charge for return %(reference)s of order %(order)s.")
        % {"reference": reference, "order": original.number},
        replaces=original,
        priority_boost=REPLACEMENT_BOOST,
    )
    order = draft.order
    # Where the first goods went, not the customer's default address of today.
    for field in SHIP_FIELDS:
        setattr(order, field, getattr(original, field))
    order.save(update_fields=[*SHIP_FIELDS, "updated_at"])
    new_lines = list(order.lines.select_related("product").order_by("line_no"))
    if repair_at is not None:
        for line in new_lines:
            line.made_to_order = True
            line.save(update_fields=["made_to_order"])
            # Allocation finds this work order for the line and waits for it.
            work_order_create(
                product=line.product,
                warehouse=repair_at,
                quantity=line.quantity,
                order_line_id=line.pk,
                reference=reference,
            )
    kind = OrderNote.REPAIR_SENT if repair_at is not None else OrderNote.REPLACEMENT_SENT
    record_event(
        order,
        EventKind.AFTER_SALES,
        actor=actor,
        message=order_note(OrderNote.REPLACES, reference=reference, number=original.number),
        data={"replaces": original.number, "return": reference},
    )
    submit_draft(order, actor=actor)
    record_event(
        original,
        EventKind.AFTER_SALES,
        actor=actor,
        message=order_note(kind, number=order.number, reference=reference),
        data={"replacement": order.number, "return": reference},
    )
    order.refresh_from_db()
    return order


@atomic_with_retry()
def order_refund_open(*, actor: Actor, order_id: int, reference: str) -> Order:
    """A return of the order is to be refunded: the order becomes `refunding` (it already is
    when another return of it is being refunded: the timeline says so and nothing moves)."""
    order = lock_order(order_id)
    message = order_note(OrderNote.REFUND_OPENED, reference=reference)
    if order.status == S.REFUNDING:
        record_event(order, EventKind.AFTER_SALES, actor=actor, message=message)
        return order
    return order_transition(
        order=order,
        to_status=S.REFUNDING,
        actor=actor,
        message=message,
        data={"return": reference},
    )


@atomic_with_retry()
def order_refund_settle(
    *, actor: Actor, order_id: int, reference: str, others_open: bool = False
) -> Order:
    """A return of the order was settled. The order goes back to `completed` unless another
    return of it is still to be refunded (`others_open`, the caller knows)."""
    order = lock_order(order_id)
    message = order_note(OrderNote.REFUND_SETTLED, reference=reference)
    if order.status != S.REFUNDING or others_open:
        record_event(order, EventKind.AFTER_SALES, actor=actor, message=message)
        return order
    return order_transition(
        order=order,
        to_status=S.COMPLETED,
        actor=actor,
        message=message,
        data={"return": reference},
    )
