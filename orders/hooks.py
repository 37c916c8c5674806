"""How orders tells the apps above it (shipping, billing, after-sales) that something happened
to an order, without importing them.

A higher layer appends a callable to a list below in its AppConfig.ready(). The order services
call the hooks inside their transaction, with the order row locked and the change already
written, so a callable may read and write in the same transaction; an exception rolls the
whole change back. A service that holds its writes (orders.held_writes: order_place,
order_submit, order_approve) writes them before a hook runs, so the order row, its lines and
its timeline are in the database as the Order passed shows them. Anything that leaves the
database (a task, a message) the callable defers with transaction.on_commit
(oms.tasks.enqueue_on_commit). Keep them quick: the order stays locked while they run.

Each callable is called with positional arguments:
  order  the Order, locked, as saved by the service;
  actor  the user who acted, or None for the system (channel intake, jobs).
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from orders import held_writes
from orders.models import Order
from orders.permissions import Actor

OrderHook = Callable[[Order, Actor], None]
AmendHook = Callable[[Order, Actor, list[dict[str, Any]]], None]

# (order, actor): the order is confirmed (first time, after approval, or again after an
# amendment's review); its allocation has run. Billing invoices prepaid orders here.
order_confirmed: list[OrderHook] = []
# (order, paid amount or None, payment reference): a channel's order was placed
# (orders.intake.place.intake_order); a paid amount says the buyer already paid on the platform
# (Shopify's financial_status paid, a marketplace order). Billing records that payment, so a
# prepaid channel order is never stuck at the dispatch guard.
order_placed: list[Callable[[Order, Decimal | None, str], None]] = []
# (order, actor): the order is cancelled; its reservations are released, its work orders
# stopped, its pending approvals withdrawn; order.cancel_reason says why.
order_cancelled: list[OrderHook] = []
# (order, actor, changes): the order's lines changed. changes lists each changed line as
# {"line": line_no, "sku": str, "from": old quantity, "to": new quantity} (from 0: added,
# to 0: removed). The order is re-priced and either re-allocated or back in review
# (order.status says which).
order_amended: list[AmendHook] = []
# (order, actor): the order is put on hold; order.hold_reason says why. It keeps its
# reservations but does not move on until it is resumed.
order_held: list[OrderHook] = []
# (order, actor): the hold is lifted.
order_resumed: list[OrderHook] = []
# (order, actor): the warehouse starts picking the order (order.picking_started_at is set).
# Shipping creates the order's shipments here and starts picking them, which moves the order
# to picking through order_follow_shipments: the one path from the pick queue to picking.
order_picking_started: list[OrderHook] = []
# (order, actor): a partially shipped order's remainder is cancelled: its open reservations
# are released and order.remainder_cancelled is set; shipments not yet dispatched must go.
order_remainder_cancelled: list[OrderHook] = []
# (order, actor): what an order past picking still owed (a back-ordered part, goods sent
# again after a return) is now reserved in open allocations no shipment holds yet; shipping
# puts them into a shipment of their own.
order_remainder_allocated: list[OrderHook] = []
# (order) -> a reason, or None: asked before an order is cancelled, with the order locked.
# A reason refuses the cancellation and is shown to the user as it is.
order_cancel_guards: list[Callable[[Order], str | None]] = []
# (order) -> a reason, or None: asked before an order's lines are amended, with the order
# locked (shipping refuses while shipments hold the lines).
order_amend_guards: list[Callable[[Order], str | None]] = []
# (customer ids, excluding order id or None) -> {customer id: amount}: what else each customer
# owes beyond its open orders, asked by the credit check (orders.review.open_order_values). Billing adds
# unpaid invoices less unapplied credit. A provider must not count an order the credit check
# already counts (an open order, or the excluded one being checked), so nothing counts twice.
credit_exposure_providers: list[Callable[[list[int], int | None], dict[int, Decimal]]] = []
# (order line id) -> a date, or None: when the goods a back-ordered line misses are expected
# (a purchase order's or an inbound receipt's date). The "waiting for stock" message names
# the latest date of the missing lines, and says "we will tell you" when any is unknown.
restock_date_providers: list[Callable[[int], date | None]] = []


def notify_order_confirmed(order: Order, actor: Actor) -> None:
    held_writes.flush()
    for callback in order_confirmed:
        callback(order, actor)


def notify_order_cancelled(order: Order, actor: Actor) -> None:
    held_writes.flush()
    for callback in order_cancelled:
        callback(order, actor)


def notify_order_amended(order: Order, actor: Actor, changes: list[dict[str, Any]]) -> None:
    held_writes.flush()
    for callback in order_amended:
        callback(order, actor, changes)


def notify_order_held(order: Order, actor: Actor) -> None:
    held_writes.flush()
    for callback in order_held:
        callback(order, actor)


def notify_order_resumed(order: Order, actor: Actor) -> None:
    held_writes.flush()
    for callback in order_resumed:
        callback(order, actor)


def notify_order_picking_started(order: Order, actor: Actor) -> None:
    held_writes.flush()
    for callback in order_picking_started:
        callback(order, actor)


def notify_order_remainder_cancelled(order: Order, actor: Actor) -> None:
    held_writes.flush()
    for callback in order_remainder_cancelled:
        callback(order, actor)


def notify_order_remainder_allocated(order: Order, actor: Actor) -> None:
    held_writes.flush()
    for callback in order_remainder_allocated:
        callback(order, actor)


def amend_refusal(order: Order) -> str | None:
    """The first reason a registered guard gives not to amend the order, or None."""
    held_writes.flush()
    for guard in order_amend_guards:
        reason = guard(order)
        if reason:
            return reason
    return None


def cancel_refusal(order: Order) -> str | None:
    """The first reason a registered guard gives not to cancel the order, or None."""
    held_writes.flush()
    for guard in order_cancel_guards:
        reason = guard(order)
        if reason:
            return reason
    return None
