"""The order follows its shipments: what shipping (a higher layer) tells orders through these
services, since orders never imports shipping.

- `order_follow_shipments`: the order's status and `fulfilment_status` from its shipments'
  progress and its own unshipped remainder. The least advanced decides: a shipment being
  picked → picking; some dispatched while the rest waits → partially shipped; all
  dispatched → shipped; all moving → in transit; all delivered → delivered.
- `order_issue_stock`: dispatch issues the goods of the order's allocations (marked issued,
  split when only part ships) through inventory, in the caller's transaction.
- `cancel_remainder`: cancelling a partially shipped order cancels what has not left.

The caller holds the order row lock (shipping locks the order before its shipments).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.services import StockIssue, stock_issue
from oms.db import atomic_with_retry
from orders import hooks
from orders.allocation import release_order
from orders.choices import ORDER_TRANSITIONS, EventKind, FulfilmentStatus, OrderStatus
from orders.errors import InvalidTransition
from orders.held_writes import save_order, writes_at_end
from orders.models import Allocation, Order, OrderLine
from orders.notes import OrderNote, order_note
from orders.permissions import Actor
from orders.services.lifecycle import order_transition
from orders.services.shared import cancel_work_orders, lock_order, record_event

S = OrderStatus
F = FulfilmentStatus
# An order line's allocations that count as shipped: issued and not come back.
SHIPPED_ALLOCATION = Q(allocations__issued_at__isnull=False, allocations__returned_at__isnull=True)


@dataclass(frozen=True)
class ShipmentProgress:
    """The order's shipments counted by how far they got; cancelled ones are left out."""

    waiting: int = 0  # created, not yet being picked
    picking: int = 0  # being picked or packed
    dispatched: int = 0  # handed to the carrier, no movement reported yet
    moving: int = 0  # in transit, out for delivery, or held up on the way
    delivered: int = 0
    returned: int = 0

    @property
    def left(self) -> int:
        """Shipments that have left the warehouse."""
        return self.dispatched + self.moving + self.delivered + self.returned


@dataclass(frozen=True)
class LineIssue:
    """Goods of one order line leaving one warehouse (one shipment line)."""

    line_id: int
    warehouse_id: int
    quantity: int
    note: str = ""


def remainder_waits(order: Order) -> bool:
    """Some quantity of the order has not left the warehouse and is still to ship."""
    return order.pk in orders_with_remainder([order])


def orders_with_remainder(orders: Sequence[Order]) -> set[int]:
    """The keys of those orders that have quantity still to ship (remainder_waits), in one
    query."""
    candidates = [order.pk for order in orders if not order.remainder_cancelled]
    if not candidates:
        return set()
    lines = (
        OrderLine.objects.filter(order_id__in=candidates)
        .annotate(issued=Coalesce(Sum("allocations__quantity", filter=SHIPPED_ALLOCATION), 0))
        .values_list("order_id", "quantity", "issued")
    )
    return {order_id for order_id, quantity, issued in lines if issued < quantity}


def fulfilment_target(progress: ShipmentProgress, *, remainder: bool) -> tuple[str | None, str]:
    """(the order status the shipments ask for, or None for no change; fulfilment status).

    A returned parcel (the carrier brought it back) holds nothing: the order's status follows
    its other shipments as if the returned one were not there, so a delivered shipment beside
    a returned one makes the order delivered. When every shipment that left came back the
    order keeps the status it reached (statuses never move back and the goods did leave) and
    its fulfilment says `returned`; the desk then sends the goods again or closes the rest.
    Fulfilment: nothing left → unfulfilled; all that left came back → returned; some came
    back beside others that did not, or a remainder still to ship → partial; else fulfilled.
    """
    still_to_ship = remainder or progress.waiting > 0 or progress.picking > 0
    on_the_way = progress.left - progress.returned  # left and not come back
    if progress.left == 0:
        fulfilment = F.UNFULFILLED
    elif on_the_way == 0:
        fulfilment = F.RETURNED
    elif still_to_ship or progress.returned:
        fulfilment = F.PARTIAL
    else:
        fulfilment = F.FULFILLED
    if on_the_way == 0:
        status = S.PICKING if progress.picking and not progress.returned else None
    elif still_to_ship:
        status = S.PARTIALLY_SHIPPED
    elif progress.dispatched:
        status = S.SHIPPED
    elif progress.moving:
        status = S.IN_TRANSIT
    else:
        status = S.DELIVERED
    return status, fulfilment


@atomic_with_retry()
def order_follow_shipments(
    *, order: Order | int, progress: ShipmentProgress, actor: Actor = None
) -> Order:
    """Bring the order's status and fulfilment status in line with its shipments. Only moves
    along ORDER_TRANSITIONS (never back); a held order keeps its status until it is resumed
    (shipping asks again then). Returns the order as saved."""
    order = lock_order(order)
    _follow(order, progress, remainder=remainder_waits(order), actor=actor)
    return order


def orders_follow_shipments(
    *, orders: Sequence[Order], progress: Mapping[int, ShipmentProgress], actor: Actor = None
) -> None:
    """order_follow_shipments for many orders the caller has locked and read fresh (a poll
    chunk's): the remainders read in one query, the orders' rows and timeline events written
    together at the end (orders.held_writes). `progress` is by order key."""
    assert transaction.get_connection().in_atomic_block, "the caller holds the order locks"
    waiting = orders_with_remainder(orders)
    with writes_at_end():
        for order in orders:
            _follow(order, progress[order.pk], remainder=order.pk in waiting, actor=actor)


def _follow(order: Order, progress: ShipmentProgress, *, remainder: bool, actor: Actor) -> None:
    if order.status == S.CANCELLED:
        return
    status, fulfilment = fulfilment_target(progress, remainder=remainder)
    if fulfilment != order.fulfilment_status:
        order.fulfilment_status = fulfilment
        save_order(order, ["fulfilment_status", "updated_at"])
        if fulfilment == F.RETURNED:
            # Said once, when the last parcel on the way comes back (a repeated carrier event
            # or booking finds the status unchanged and writes nothing).
            record_event(
                order, EventKind.RETURNED, actor=actor, message=order_note(OrderNote.ALL_RETURNED)
            )
    if (
        status is not None
        and status != order.status
        and status in ORDER_TRANSITIONS.get(order.status, ())
        and not order.on_hold
    ):
        if status == S.PICKING and order.picking_started_at is None:
            order.picking_started_at = timezone.now()
            save_order(order, ["picking_started_at", "updated_at"])
        order_transition(order=order, to_status=status, actor=actor)


def order_issue_stock(
    *, order: Order, issues: list[LineIssue], reference: str, actor: Actor = None
) -> list[Allocation]:
    """Dispatch: the goods of these lines leave their warehouses. Each issue takes its units
    from the line's open allocation there (marked issued, or split when only part ships) and
    inventory writes one ledger row for it, lowering on_hand and reserved together. Returns
    the issued allocation row of each issue, in order. The caller holds the order lock."""
    assert transaction.get_connection().in_atomic_block, "order_issue_stock runs in a transaction"
    open_rows = {
        (row.line_id, row.stock_level.warehouse_id): row
        for row in Allocation.objects.filter(
            line__order=order,
            line_id__in=[issue.line_id for issue in issues],
            issued_at__isnull=True,
        ).select_related("stock_level", "line__product")
    }
    now = timezone.now()
    issued_rows: list[Allocation] = []
    stock_issues: list[StockIssue] = []
    issued_units: dict[str, int] = {}
    for issue in issues:
        row = open_rows.get((issue.line_id, issue.warehouse_id))
        have = row.quantity if row is not None else 0
        if row is None or have < issue.quantity:
            raise InvalidTransition(
                _(
                    "Only %(have)s units of this order's line are reserved in the warehouse; "
                    "%(want)s are to ship."
                )
                % {"have": have, "want": issue.quantity}
            )
        if have == issue.quantity:
            row.issued_at = now
            row.save(update_fields=["issued_at"])
            del open_rows[(issue.line_id, issue.warehouse_id)]
            issued = row
        else:
            row.quantity -= issue.quantity
            row.save(update_fields=["quantity"])
            issued = Allocation.objects.create(
                line_id=row.line_id,
                stock_level_id=row.stock_level_id,
                quantity=issue.quantity,
                issued_at=now,
            )
        issued_rows.append(issued)
        stock_issues.append(StockIssue(row.stock_level_id, issue.quantity, issue.note))
        key = str(issue.line_id)
        issued_units[key] = issued_units.get(key, 0) + issue.quantity
    stock_issue(actor=actor, issues=stock_issues, reference=reference)
    record_event(
        order,
        EventKind.ISSUED,
        actor=actor,
        data={"reference": reference, "issued": issued_units},
    )
    return issued_rows


def order_record_shipping(
    *, order: Order, actor: Actor, message: dict, data: dict | None = None
) -> None:
    """A line on the order's timeline for what shipping did to its shipments (merged into a
    parcel with other orders, unmerged, split): `message` is a coded note whose words shipping
    registers in the order-note family. The caller holds the lock of the order or of the
    shipments' group; nothing on the order itself changes."""
    record_event(order, EventKind.SHIPPING, actor=actor, message=message, data=data)


def cancel_remainder(order: Order, *, actor: Actor, reason: str) -> Order:
    """A partially shipped order is cancelled: what has not left is cancelled (work orders
    stop, open reservations go back to stock, shipments not dispatched are voided by shipping)
    and the order goes on with what was dispatched. The caller holds the order lock and has
    checked the action."""
    cancel_work_orders(actor, order.lines.values_list("pk", flat=True))
    released = release_order(order)
    order.remainder_cancelled = True
    order.cancel_reason = reason[:200]
    order.save(update_fields=["remainder_cancelled", "cancel_reason", "updated_at"])
    record_event(order, EventKind.REMAINDER, actor=actor, note=reason, data={"released": released})
    hooks.notify_order_remainder_cancelled(order, actor)
    return lock_order(order)
