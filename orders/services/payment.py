"""What the customer has paid of an order, kept by billing (a higher layer) through this service,
since orders never reads invoices or payments.

- `order_set_payment_status`: billing tells the order its payment status after each payment,
  allocation, refund or credit note. The change goes on the order's timeline as a coded note.
- Completion: an order that is `delivered` and `paid` becomes `completed` in the same
  transaction, whichever comes last. Paid last → here; delivered last → `order_transition`
  (lifecycle.complete_when_settled), the one writer of the status every path to `delivered`
  goes through (shipments followed, a pickup handed over, a carrier's delivery push).
- Refunds and reversals: a completed order whose payment status moves on (paid →
  partially_refunded or refunded, or back to partially_paid when a payment is reversed) keeps
  its status; only `payment_status` and the timeline change. Returns move an order to
  `refunding` through their own path (after-sales), not through money. A cancelled order's
  payment status is still kept (finance refunds what was paid), its status never moves.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from oms.db import atomic_with_retry, update_rows
from orders.choices import EventKind, PaymentStatus
from orders.models import Order
from orders.notes import OrderNote, order_note
from orders.permissions import Actor
from orders.services.lifecycle import complete_when_settled
from orders.services.shared import lock_order, record_event


def order_set_payment_status(
    *, order_id: int, status: str, actor: Actor = None, locked: Order | None = None
) -> Order:
    """Set the order's payment status (billing's call; no permission check: billing decided).

    Locks the order row; `locked`: the order as the caller read it when it locked the row in
    this transaction (billing locks an invoice's order with the invoice), so it is not read
    again. The same status again writes nothing (billing may recompute after every
    allocation). Returns the order as saved, `completed` when it was delivered and is now
    paid."""
    if status not in PaymentStatus.values:
        raise ValidationError(
            {"payment_status": _("Unknown payment status: %(status)s.") % {"status": status}}
        )
    if locked is not None and locked.pk == order_id and connection.in_atomic_block:
        # The caller's transaction holds the lock and fails as a whole if this does: no
        # savepoint of our own (two statements fewer per payment).
        return _payment_status_write(locked, status, actor)
    return _payment_status_locked(order_id, status, actor)


@atomic_with_retry()
def _payment_status_locked(order_id: int, status: str, actor: Actor) -> Order:
    return _payment_status_write(lock_order(order_id), status, actor)


def _payment_status_write(order: Order, status: str, actor: Actor) -> Order:
    """The status on the locked order, its timeline entry and completion."""
    was = order.payment_status
    if was != status:
        order.payment_status = status
        # Not save(update_fields=...) of the wide row (twice the statement's CPU), nor a
        # queryset's update compiled for each payment: a statement made once (updated_at now).
        update_rows(Order, [order], ["payment_status", "updated_at"])
        record_event(
            order,
            EventKind.PAYMENT,
            actor=actor,
            message=order_note(OrderNote.PAYMENT_STATUS, was=was, now=status),
            data={"payment_status": [was, status]},
        )
    complete_when_settled(order, actor=actor)
    return order
