"""What the system writes on an order's timeline, stored as codes with parameters.

Services write `order_note(OrderNote.X, **params)` into `OrderEvent.message`; people's own notes (a
hold reason, an approver's remark) stay text in `OrderEvent.note`. `orders/registrations.py`
registers the words below with the kernel (`oms.texts`), which words each note in the
reader's language when the page is made. Shipping and billing will register their own family
of notes the same way.
"""

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy

from oms.registry import CodedText
from oms.texts import coded
from orders.choices import PaymentStatus

ORDER_NOTES = "order_note"


class OrderNote(StrEnum):
    """What the system says on an order's timeline (people's own notes stay text)."""

    SUBMITTED_FOR_REVIEW = "submitted_for_review"
    SUBMITTED_NO_REVIEW = "submitted_no_review"
    ALL_APPROVED = "all_approved"
    ALLOCATION_WAITS = "allocation_waits"
    STOCK_ARRIVED = "stock_arrived"
    DELIVERY_NEAR = "delivery_near"
    WORK_ORDER_DONE = "work_order_done"
    MADE_TO_ORDER_READY = "made_to_order_ready"
    AMENDMENT_NEEDS_APPROVAL = "amendment_needs_approval"
    AMENDED = "amended"
    PAYMENT_STATUS = "payment_status"
    PAID_AND_DELIVERED = "paid_and_delivered"
    ALL_RETURNED = "all_returned"
    REFUND_OPENED = "refund_opened"
    REFUND_SETTLED = "refund_settled"
    REPLACEMENT_SENT = "replacement_sent"
    REPAIR_SENT = "repair_sent"
    REPLACES = "replaces"
    DELIVERY_NOTE_CHANGED = "delivery_note_changed"


def order_note(code: OrderNote, **params: Any) -> dict[str, Any]:
    """A timeline note for `OrderEvent.message`."""
    return coded(code, **params)


def _payment_status_text(value: Any) -> str:
    try:
        return str(PaymentStatus(value).label)
    except ValueError:
        return str(value)


N = OrderNote
NOTE_TEXTS: dict[str, Any] = {
    N.SUBMITTED_FOR_REVIEW: gettext_lazy("Submitted for review."),
    N.SUBMITTED_NO_REVIEW: gettext_lazy("Submitted; no approval needed."),
    N.ALL_APPROVED: gettext_lazy("All approvals given."),
    N.ALLOCATION_WAITS: gettext_lazy("Allocation waits until the delivery date is near."),
    N.STOCK_ARRIVED: gettext_lazy("Stock arrived."),
    N.DELIVERY_NEAR: gettext_lazy("Delivery date is near."),
    N.WORK_ORDER_DONE: CodedText(
        gettext_lazy("Work order %(number)s done."), fallback=gettext_lazy("Work order done.")
    ),
    N.MADE_TO_ORDER_READY: gettext_lazy("Made-to-order goods ready."),
    N.AMENDMENT_NEEDS_APPROVAL: gettext_lazy("Amendment needs approval."),
    N.AMENDED: gettext_lazy("Amended."),
    # was, now: PaymentStatus codes, worded in the reader's language when shown.
    N.PAYMENT_STATUS: CodedText(
        gettext_lazy("Payment: %(was)s → %(now)s."),
        params={"was": _payment_status_text, "now": _payment_status_text},
        fallback=gettext_lazy("Payment status changed."),
    ),
    N.PAID_AND_DELIVERED: gettext_lazy("Delivered and paid: the order is completed."),
    # customer: "1" when the customer changed it on the order's page.
    N.DELIVERY_NOTE_CHANGED: CodedText(
        gettext_lazy("Delivery note changed."),
        render=lambda params: str(
            gettext_lazy("Delivery note changed by the customer.")
            if params.get("customer")
            else gettext_lazy("Delivery note changed.")
        ),
    ),
    N.ALL_RETURNED: gettext_lazy(
        "Every parcel that left came back: the goods are sent again or the rest is closed."
    ),
    N.REFUND_OPENED: CodedText(
        gettext_lazy("Return %(reference)s is to be refunded."),
        fallback=gettext_lazy("A return is to be refunded."),
    ),
    N.REFUND_SETTLED: CodedText(
        gettext_lazy("Return %(reference)s is settled."),
        fallback=gettext_lazy("A return is settled."),
    ),
    N.REPLACEMENT_SENT: CodedText(
        gettext_lazy("Replacement order %(number)s placed for return %(reference)s."),
        fallback=gettext_lazy("Replacement order placed."),
    ),
    N.REPAIR_SENT: CodedText(
        gettext_lazy("Repair order %(number)s placed for return %(reference)s."),
        fallback=gettext_lazy("Repair order placed."),
    ),
    N.REPLACES: CodedText(
        gettext_lazy("Sent at no charge for return %(reference)s of order %(number)s."),
        fallback=gettext_lazy("Sent at no charge for a return."),
    ),
}
