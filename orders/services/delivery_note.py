"""The order's delivery note: what the warehouse and the courier read (where to leave the
parcel, which gate). Staff change it like any detail; the customer changes it on the order's
page until the goods leave."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from oms.db import atomic_with_retry
from oms.services import audit_record
from orders.choices import EventKind, OrderStatus
from orders.models import Order
from orders.notes import OrderNote, order_note
from orders.permissions import Actor
from orders.services.shared import lock_order, record_event

S = OrderStatus
# Before anything has left: once a parcel is with the carrier, the note would reach nobody.
DELIVERY_NOTE_STATUSES = frozenset(
    {
        S.DRAFT,
        S.PENDING_REVIEW,
        S.CONFIRMED,
        S.BACKORDERED,
        S.IN_PRODUCTION,
        S.ALLOCATED,
        S.PICKING,
    }
)
DELIVERY_NOTE_MAX_LENGTH = 200


def delivery_note_editable(order: Order) -> bool:
    return order.status in DELIVERY_NOTE_STATUSES


@atomic_with_retry()
def order_set_delivery_note(
    *, actor: Actor, order: Order, note: str, by_customer: bool = False
) -> Order:
    """Set the order's delivery note (trimmed, at most 200 characters, no control characters).
    Refused once the order has shipped; an unchanged note writes nothing. Writes a timeline
    entry and an audit row whose `source` says who changed it (the customer's page acts with
    actor None)."""
    text = " ".join(str(note or "").split())
    if len(text) > DELIVERY_NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "delivery_note": _("Keep the delivery note to %(max)s characters.")
                % {"max": DELIVERY_NOTE_MAX_LENGTH}
            }
        )
    order = lock_order(order)
    if not delivery_note_editable(order):
        raise ValidationError(
            {
                "delivery_note": _(
                    "The order has already been sent, so the delivery note can no longer be "
                    "changed. Please contact us instead."
                )
            }
        )
    before = order.delivery_note
    if before == text:
        return order
    order.delivery_note = text
    order.save(update_fields=["delivery_note", "updated_at"])
    record_event(
        order,
        EventKind.EDITED,
        actor=actor,
        message=order_note(OrderNote.DELIVERY_NOTE_CHANGED, customer="1" if by_customer else ""),
    )
    audit_record(
        actor=actor,
        action="order.delivery_note",
        obj=order,
        changes={
            "delivery_note": [before, text],
            "source": "customer" if by_customer else "staff",
        },
    )
    return order
