"""Writes an order service holds back and sends at once: the new order's row, the changed
fields of order rows, the timeline events.

Inside a `writes_at_end()` block (order_place, order_submit, order_approve) they are written
when the block ends, or earlier when a hook of orders.hooks is about to run (`flush()`), so a
hook always finds the order and its timeline written: one INSERT for a new order with its
final state (never an INSERT then an UPDATE of the same row; one INSERT for all the new
orders of a batch, orders.services.batch_place), one UPDATE per existing order
with every field that changed (one for all the orders whose same fields changed: a poll's,
shipping.tracking), one INSERT for all events. A failure writes nothing.

A held new order has its primary key already (taken from its sequence with its number), so
its lines, allocations and approvals are inserted before it: the foreign keys to it are
checked at commit (Django makes them DEFERRABLE INITIALLY DEFERRED). Nothing read in between
depends on the held rows: the row of a new order is invisible to everyone else until commit,
and an existing order's row is locked by the service.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from oms.db import insert_rows, update_rows
from orders.models import Order, OrderEvent


@dataclass
class _HeldWrites:
    # id(order) -> a new order to insert with all its fields
    inserts: dict[int, Order] = field(default_factory=dict)
    # id(order) -> (an existing order, the fields to write)
    updates: dict[int, tuple[Order, set[str]]] = field(default_factory=dict)
    events: list[OrderEvent] = field(default_factory=list)


_held: ContextVar[_HeldWrites | None] = ContextVar("held_order_writes", default=None)


@contextmanager
def writes_at_end() -> Iterator[None]:
    """Hold the writes of the block until it ends (an inner block leaves them to the outer)."""
    if _held.get() is not None:
        yield
        return
    token = _held.set(_HeldWrites())
    try:
        yield
        flush()
    finally:
        _held.reset(token)


def active() -> bool:
    return _held.get() is not None


def flush() -> None:
    """Write what is held now; orders.hooks calls it before any hook runs."""
    held = _held.get()
    if held is None:
        return
    if held.inserts:
        insert_rows(Order, list(held.inserts.values()))
    # Orders whose same fields changed (a batch's) are written in one UPDATE.
    by_fields: dict[tuple[str, ...], list[Order]] = {}
    for order, fields in held.updates.values():
        by_fields.setdefault(tuple(sorted(fields)), []).append(order)
    for names, orders in by_fields.items():
        update_rows(Order, orders, names)
    if held.events:
        insert_rows(OrderEvent, held.events)
    held.inserts.clear()
    held.updates.clear()
    held.events.clear()


def hold_insert(order: Order) -> bool:
    """Insert the new order (its primary key set) when the block writes; False outside a block."""
    held = _held.get()
    if held is None:
        return False
    assert order.pk is not None, "a held order has its key from the sequence"
    held.inserts[id(order)] = order
    return True


def save_order(order: Order, fields: Iterable[str]) -> None:
    """order.save(update_fields=fields), or held until the block writes (a held new order is
    inserted with every field anyway)."""
    held = _held.get()
    if held is None:
        order.save(update_fields=list(fields))
        return
    if id(order) in held.inserts:
        return
    held.updates.setdefault(id(order), (order, set()))[1].update(fields)


def hold_event(event: OrderEvent) -> bool:
    """Insert the event when the block writes; False outside a block."""
    held = _held.get()
    if held is None:
        return False
    held.events.append(event)
    return True
