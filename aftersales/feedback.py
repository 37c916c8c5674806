"""The customer's rating of a delivered order: the service the order's page calls, and what
staff read.

One rating per order, and a second one from the page changes it (it does not add a second,
and it is not refused): the page is the customer's only channel, a customer whose problem was
solved after a harsh first rating should be able to say so, and customer service must read
the customer's current view. Each change is audited with the earlier values, so nothing is
lost; the row counts its changes and staff see that it was changed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from aftersales.models import OrderFeedback
from aftersales.models.feedback import COMMENT_MAX_LENGTH
from customers.selectors import of_visible_customers
from oms.db import atomic_with_retry
from oms.services import audit_record
from oms.types import AnyUser, User
from orders.choices import OrderStatus
from orders.models import Order

VIEW_PERMISSION = "aftersales.view_orderfeedback"
# Rated once the goods arrived; a completed order is delivered and paid.
RATABLE_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.COMPLETED})


def may_rate(order: Order) -> bool:
    return order.status in RATABLE_STATUSES


@atomic_with_retry()
def feedback_give(
    *, actor: User | None, order: Order, rating: int, comment: str = ""
) -> OrderFeedback:
    """Record the customer's rating (1 to 5) and comment of a delivered order, or change the
    one given before. The order row is locked first, so two submits at once make one row.
    Refused before delivery; an unchanged resubmit writes nothing."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose from one to five stars.")})
    comment = str(comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("Keep the comment to %(max)s characters.") % {"max": COMMENT_MAX_LENGTH}}
        )
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if not may_rate(order):
        raise ValidationError(_("You can rate the order once it has been delivered."))
    feedback = OrderFeedback.objects.filter(order=order).first()
    if feedback is None:
        try:
            with transaction.atomic():
                feedback = OrderFeedback.objects.create(order=order, rating=rating, comment=comment)
        except IntegrityError as exc:  # pragma: no cover - the order lock prevents it
            raise ValidationError(_("Your rating is already saved.")) from exc
        audit_record(
            actor=actor,
            action="feedback.give",
            obj=feedback,
            changes={"rating": [None, rating], "comment": [None, comment], "source": "customer"},
        )
        return feedback
    if (feedback.rating, feedback.comment) == (rating, comment):
        return feedback
    before = (feedback.rating, feedback.comment)
    feedback.rating, feedback.comment = rating, comment
    feedback.edits += 1
    feedback.save(update_fields=["rating", "comment", "edits", "updated_at"])
    audit_record(
        actor=actor,
        action="feedback.change",
        obj=feedback,
        changes={
            "rating": [before[0], rating],
            "comment": [before[1], comment],
            "source": "customer",
        },
    )
    return feedback


# Reading -------------------------------------------------------------------------------------


def feedback_visible_to(user: AnyUser) -> QuerySet[OrderFeedback]:
    """Ratings of the orders of customers the user may see (sales: their own customers)."""
    return of_visible_customers(
        OrderFeedback.objects.select_related("order__customer"), user, "order__customer"
    )


def order_feedback(order_id: int) -> OrderFeedback | None:
    return OrderFeedback.objects.filter(order_id=order_id).first()
