"""How shipping tells the apps above it (billing, after-sales) what happened to a shipment,
and asks them before a dispatch, without importing them.

A higher layer appends a callable to a list below in its AppConfig.ready(). The shipping
services call the hooks inside their transaction, with the order and the shipment locked and
the change written, so a callable may read and write in the same transaction; an exception
rolls the whole change back. Anything that leaves the database (a task, a message) the
callable defers with transaction.on_commit (oms.tasks.enqueue_on_commit). Keep them quick.

Each event callable is called with positional arguments:
  shipment  the Shipment, locked, as saved (shipment.order is the order);
  actor     the user who acted, or None for the system (tracking, jobs).
"""

from collections.abc import Callable

from oms.types import User
from shipping.models import Shipment

ShipmentHook = Callable[[Shipment, User | None], None]

# The goods left with the carrier: stock issued, carrier and tracking number recorded.
shipment_dispatched: list[ShipmentHook] = []
# The carrier (or staff) confirmed delivery.
shipment_delivered: list[ShipmentHook] = []
# The parcel came back or is on its way back (refused, undeliverable).
shipment_returned: list[ShipmentHook] = []
# Voided before it left (its order, or the order's remainder, was cancelled).
shipment_cancelled: list[ShipmentHook] = []
# (shipment) -> a reason, or None: asked before a dispatch, with the shipment locked. A
# reason refuses the dispatch and is shown to the user as it is (billing: "prepaid order
# not paid yet").
dispatch_guards: list[Callable[[Shipment], str | None]] = []


def _notify(callbacks: list[ShipmentHook], shipment: Shipment, actor: User | None) -> None:
    for callback in callbacks:
        callback(shipment, actor)


def notify_shipment_dispatched(shipment: Shipment, actor: User | None) -> None:
    _notify(shipment_dispatched, shipment, actor)


def notify_shipment_delivered(shipment: Shipment, actor: User | None) -> None:
    _notify(shipment_delivered, shipment, actor)


def notify_shipment_returned(shipment: Shipment, actor: User | None) -> None:
    _notify(shipment_returned, shipment, actor)


def notify_shipment_cancelled(shipment: Shipment, actor: User | None) -> None:
    _notify(shipment_cancelled, shipment, actor)


def dispatch_refusal(shipment: Shipment) -> str | None:
    """The first reason a registered guard gives not to dispatch the shipment, or None."""
    for guard in dispatch_guards:
        reason = guard(shipment)
        if reason:
            return reason
    return None
