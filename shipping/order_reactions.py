"""What shipping does when orders tells it something: orders sits below shipping and calls
the hooks it offers (orders.hooks), which shipping/apps.py fills with these."""

from django.utils.translation import gettext as _

from oms.types import User
from orders.models import Order
from shipping.choices import UNDISPATCHED_STATUSES, ShipmentStatus
from shipping.models import Shipment
from shipping.pickup_codes import revoke_codes
from shipping.services import create_open_shipments, follow, shipment_transition

S = ShipmentStatus


def _void_undispatched(order: Order, actor: User | None, note: str) -> list[str]:
    voided = []
    for shipment in (
        Shipment.objects.select_for_update()
        .filter(order=order, status__in=UNDISPATCHED_STATUSES)
        .order_by("pk")
    ):
        shipment.order = order
        shipment_transition(shipment=shipment, to_status=S.CANCELLED, actor=actor, note=note)
        revoke_codes(shipment)
        voided.append(shipment.number)
    return voided


def void_for_cancelled_order(order: Order, actor: User | None) -> None:
    """orders.hooks.order_cancelled: shipments not yet dispatched are voided."""
    _void_undispatched(order, actor, order.cancel_reason)


def void_remainder(order: Order, actor: User | None) -> None:
    """orders.hooks.order_remainder_cancelled: the rest of a partially shipped order is
    voided; the order goes on with what was dispatched."""
    _void_undispatched(order, actor, order.cancel_reason)
    follow(order, actor)


def refuse_cancel_when_dispatched(order: Order) -> str | None:
    """orders.hooks.order_cancel_guards: goods already with a carrier cannot be cancelled."""
    numbers = _shipment_numbers(order, except_in=[*UNDISPATCHED_STATUSES, S.CANCELLED])
    if not numbers:
        return None
    return _(
        "Shipment %(numbers)s has already been dispatched: the goods are with the carrier and "
        "the order cannot be cancelled."
    ) % {"numbers": numbers}


def refuse_amend_with_shipments(order: Order) -> str | None:
    """orders.hooks.order_amend_guards: shipment lines point at the order's lines, so the
    lines stay as they are while a shipment that is not cancelled holds them."""
    numbers = _shipment_numbers(order, except_in=[S.CANCELLED])
    if not numbers:
        return None
    return _(
        "Shipment %(numbers)s already holds this order's lines: cancel the shipment before "
        "amending the order."
    ) % {"numbers": numbers}


def _shipment_numbers(order: Order, *, except_in: list[str]) -> str:
    """The numbers of the order's shipments not in these statuses, oldest first, as a guard's
    message names them ("" when none)."""
    return ", ".join(
        Shipment.objects.filter(order=order)
        .exclude(status__in=except_in)
        .order_by("pk")
        .values_list("number", flat=True)
    )


def ship_remainder(order: Order, actor: User | None) -> None:
    """orders.hooks.order_remainder_allocated: what an order past picking still owed is
    reserved now (stock arrived for its back-ordered part, or returned goods go out again);
    it becomes a shipment of its own, waiting to be picked, and the order follows."""
    if create_open_shipments(order, actor):
        follow(order, actor)


def follow_resumed_order(order: Order, actor: User | None) -> None:
    """orders.hooks.order_resumed: a held order catches up with its shipments."""
    if Shipment.objects.filter(order=order).exists():
        follow(order, actor)
