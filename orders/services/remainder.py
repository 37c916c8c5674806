"""An order's remainder after picking started: goods still owed once part of the order has
left (a back-ordered part, or goods that came back and go out again).

- `order_goods_returned`: a returned parcel is settled; the issued allocations behind it are
  marked returned, so its lines owe those units again.
- `allocate_remainder`: reserve what the lines still owe, like any order; shipping (through
  `hooks.order_remainder_allocated`) puts it into a shipment of its own.
- `order_allocate_remainder`: the same from a worker when stock arrives.
- `order_close_returned`: the returned goods are not sent again; the remainder is cancelled.

The caller of the first, second and last holds the order row lock (shipping locks the order
before its shipments); the worker entry locks it itself.
"""

from django.db import transaction
from django.utils import timezone

from oms.db import atomic_with_retry
from orders import hooks
from orders.allocation import AllocationResult, allocate_order
from orders.choices import REMAINDER_STATUSES, EventKind
from orders.models import Allocation, Order
from orders.permissions import Actor
from orders.services.fulfilment import cancel_remainder
from orders.services.shared import lock_order, record_event


def order_return_received(
    *, order: Order, reference: str, units: dict[int, int], actor: Actor = None
) -> None:
    """A returned parcel of the order was booked back in ({line id: units}): its timeline
    says so. The lines owe the goods again only once the desk decides (order_goods_returned)."""
    record_event(
        order,
        EventKind.RETURNED,
        actor=actor,
        data={"reference": reference, "returned": {str(k): v for k, v in units.items()}},
    )


def order_goods_returned(*, order: Order, allocation_ids: list[int]) -> dict[str, int]:
    """Returned goods are settled (sent again or not): the issued allocation rows behind them
    are marked returned (kept as history), so their lines owe those units again. Returns
    {line id: units} marked."""
    assert transaction.get_connection().in_atomic_block, "the caller holds the order lock"
    rows = Allocation.objects.filter(
        pk__in=allocation_ids,
        line__order=order,
        issued_at__isnull=False,
        returned_at__isnull=True,
    )
    returned: dict[str, int] = {}
    for line_id, quantity in rows.values_list("line_id", "quantity"):
        returned[str(line_id)] = returned.get(str(line_id), 0) + quantity
    rows.update(returned_at=timezone.now())
    return returned


def allocate_remainder(order: Order, *, actor: Actor) -> AllocationResult:
    """Reserve what the order's lines still owe (nearest warehouse first, as any order);
    the order keeps its status. The caller holds the order lock."""
    result = allocate_order(order)
    if result.allocated or result.short:
        record_event(
            order,
            EventKind.ALLOCATED,
            actor=actor,
            data={
                "allocated": {str(k): v for k, v in result.allocated.items()},
                "short": {str(k): v for k, v in result.short.items()},
            },
        )
    if result.allocated:
        hooks.notify_order_remainder_allocated(order, actor)
    return result


@atomic_with_retry()
def order_allocate_remainder(*, order_id: int, actor: Actor = None) -> bool:
    """Stock arrived: reserve what an order past picking still owes and let shipping ship it.
    Idempotent (a line that holds its goods takes nothing). True when something was reserved."""
    order = lock_order(order_id)
    if order.status not in REMAINDER_STATUSES or order.on_hold or order.remainder_cancelled:
        return False
    return bool(allocate_remainder(order, actor=actor).allocated)


def order_close_returned(order: Order, *, actor: Actor, reason: str) -> Order:
    """Returned goods are not sent again: the order's remainder is cancelled (open
    reservations released, shipments not dispatched voided) and it goes on with what was
    delivered. The caller holds the order lock."""
    return cancel_remainder(order, actor=actor, reason=reason)
