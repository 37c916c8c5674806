"""What shipping arranges for an order's delivery (a time slot, store pickup), written on the
order's timeline through orders, since orders never imports shipping."""

from typing import Any

from oms.db import atomic_with_retry
from orders.choices import EventKind
from orders.models import Order, OrderEvent
from orders.permissions import Actor
from orders.services.shared import lock_order, record_event


@atomic_with_retry()
def order_record_delivery(
    *, order: Order | int, message: dict[str, Any], actor: Actor = None, data: dict | None = None
) -> OrderEvent:
    """One "delivery arranged" entry on the order's timeline. `message` is a coded note
    (`oms.texts.coded`) whose code the calling app registered in the "order_note" family.
    Locks the order (the caller usually holds the lock already)."""
    order = lock_order(order)
    return record_event(order, EventKind.DELIVERY, actor=actor, message=message, data=data)
