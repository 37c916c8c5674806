"""Shipments needing attention: the logistics desk's exceptions queue.

Why a shipment is in the queue is a set of reasons, each a condition over one annotated
queryset (`attention_rows`), so the list, its filter, the dashboard tile and the shipment page
agree. The carrier's news comes from ONE place, `carrier_news()`: today the shipment's own
status events (typed in by staff or moved by tracking through `shipment_transition`); the
tracking integration feeds its normalised statuses there (the newest `TrackingEvent` time as
`news_at`, a `failed_attempt` status as `attempt_failed`) and every reason follows.

The desk's actions: record a contact (a note), hand the parcel to a carrier again (new
carrier or tracking number, back in transit), mark it returned (the progress service).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.db import atomic_with_retry
from oms.services import audit_record
from oms.types import AnyUser, User
from oms.workdays import WorkingCalendar, working_calendar
from shipping.choices import (
    MOVING_STATUSES,
    ReturnResolution,
    ShipmentEventKind,
    ShipmentStatus,
)
from shipping.models import ReturnReceipt, Shipment, ShipmentEvent
from shipping.permissions import ShipmentError
from shipping.selectors import shipments_visible_to
from shipping.services import follow, lock_shipment, record_event, shipment_transition

S = ShipmentStatus
TRACK_PERMISSION = "shipping.track_shipment"
NOTE_LENGTH = 2000
# With the carrier: the statuses whose parcels can be late or go quiet.
ON_THE_WAY = frozenset({S.DISPATCHED} | MOVING_STATUSES)
# A status change that is news from the carrier (or its handover).
NEWS_STATUSES = (*ON_THE_WAY, S.DELIVERED, S.RETURNED)


class Reason:
    EXCEPTION = "exception"
    FAILED_ATTEMPT = "failed_attempt"
    QUIET = "quiet"
    LATE = "late"
    RETURN_TO_BOOK = "return_to_book"
    RETURN_TO_DECIDE = "return_to_decide"


REASON_LABELS = {
    Reason.EXCEPTION: gettext_lazy("Carrier reported a problem"),
    Reason.FAILED_ATTEMPT: gettext_lazy("Delivery attempt failed"),
    Reason.QUIET: gettext_lazy("No news from the carrier"),
    Reason.LATE: gettext_lazy("Past its expected delivery"),
    Reason.RETURN_TO_BOOK: gettext_lazy("Returned: to book back in"),
    Reason.RETURN_TO_DECIDE: gettext_lazy("Booked back in: send again or close"),
}
REASON_TONES = {
    Reason.EXCEPTION: "orange",
    Reason.FAILED_ATTEMPT: "orange",
    Reason.QUIET: "grey",
    Reason.LATE: "red",
    Reason.RETURN_TO_BOOK: "amber",
    Reason.RETURN_TO_DECIDE: "amber",
}


def quiet_since(today: date | None = None) -> date:
    """Parcels with no news since before this day are quiet (OMS_SHIPMENT_QUIET_WORKING_DAYS
    working days back from today)."""
    today = today or timezone.localdate()
    days = settings.OMS_SHIPMENT_QUIET_WORKING_DAYS
    calendar = working_calendar(today - timedelta(days=3 * days + 40), today)
    return calendar.add_working_days(today, -days)


def carrier_news(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """The one place the carrier's news enters the queue: `news_at` (its latest news) and
    `attempt_failed` (the latest news brought it back from a delivery round)."""
    news = ShipmentEvent.objects.filter(
        shipment=OuterRef("pk"), kind=ShipmentEventKind.STATUS, to_status__in=NEWS_STATUSES
    ).order_by("-id")
    return shipments.annotate(
        news_at=Subquery(news.values("created_at")[:1]),
        news_from=Subquery(news.values("from_status")[:1]),
    ).annotate(
        # The newest news brought the parcel back from its delivery round.
        attempt_failed=ExpressionWrapper(
            Q(status__in=[S.IN_TRANSIT, S.EXCEPTION], news_from=S.OUT_FOR_DELIVERY),
            output_field=BooleanField(),
        ),
    )


def reason_conditions(today: date, quiet_from: date) -> dict[str, Q]:
    """Each reason as a condition over `carrier_news`' annotations."""
    return {
        Reason.EXCEPTION: Q(status=S.EXCEPTION),
        Reason.FAILED_ATTEMPT: Q(attempt_failed=True),
        Reason.QUIET: Q(status__in=ON_THE_WAY, news_at__date__lt=quiet_from),
        Reason.LATE: Q(status__in=ON_THE_WAY, expected_delivery_date__lt=today),
        Reason.RETURN_TO_BOOK: Q(status=S.RETURNED, has_receipt=False),
        Reason.RETURN_TO_DECIDE: Q(receipt_resolution=ReturnResolution.WAITING),
    }


def attention_rows(
    shipments: QuerySet[Shipment], *, today: date | None = None
) -> QuerySet[Shipment]:
    """The shipments that need attention, each with a boolean `why_<reason>` per reason."""
    today = today or timezone.localdate()
    conditions = reason_conditions(today, quiet_since(today))
    receipts = ReturnReceipt.objects.filter(shipment=OuterRef("pk"))
    rows = carrier_news(
        shipments.filter(status__in=[*ON_THE_WAY, S.RETURNED]).annotate(
            has_receipt=Exists(receipts),
            receipt_resolution=Subquery(receipts.values("resolution")[:1]),
        )
    ).annotate(
        **{
            f"why_{reason}": ExpressionWrapper(condition, output_field=BooleanField())
            for reason, condition in conditions.items()
        }
    )
    any_reason = Q()
    for reason in conditions:
        any_reason |= Q(**{f"why_{reason}": True})
    return rows.filter(any_reason)


def attention_list(user: AnyUser) -> QuerySet[Shipment]:
    return (
        attention_rows(shipments_visible_to(user))
        .select_related("order", "warehouse")
        .order_by("expected_delivery_date", "id")
    )


def attention_count(user: AnyUser) -> int:
    return attention_rows(shipments_visible_to(user)).count()


def overdue_count(user: AnyUser, *, today: date | None = None) -> int:
    """Shipments with the carrier past their expected delivery (the queue's "late" reason),
    counted without the queue's other annotations: the dashboard tile."""
    today = today or timezone.localdate()
    return (
        shipments_visible_to(user)
        .filter(reason_conditions(today, quiet_since(today))[Reason.LATE])
        .count()
    )


@dataclass(frozen=True)
class Why:
    reason: str
    label: str
    detail: str
    tone: str


def reasons_of(shipment: Shipment, calendar: WorkingCalendar, today: date) -> list[Why]:
    """Why an annotated row is in the queue, in words, with the working days it counts."""
    found = []
    for reason, label in REASON_LABELS.items():
        if not getattr(shipment, f"why_{reason}", False):
            continue
        detail = ""
        if reason == Reason.LATE and shipment.expected_delivery_date:
            days = calendar.working_days_between(shipment.expected_delivery_date, today)
            detail = _("%(days)s working days late (expected %(date)s)") % {
                "days": days,
                "date": shipment.expected_delivery_date.isoformat(),
            }
        elif reason == Reason.QUIET and shipment.news_at:
            last = timezone.localdate(shipment.news_at)
            detail = _("last news %(date)s, %(days)s working days ago") % {
                "date": last.isoformat(),
                "days": calendar.working_days_between(last, today),
            }
        found.append(Why(reason, str(label), detail, REASON_TONES[reason]))
    return found


def calendar_for(rows: list[Shipment], today: date) -> WorkingCalendar:
    """One calendar for a page of rows (one query)."""
    days = [row.expected_delivery_date for row in rows if row.expected_delivery_date]
    days += [timezone.localdate(row.news_at) for row in rows if getattr(row, "news_at", None)]
    return working_calendar(min([*days, today]), today)


# The desk's actions -----------------------------------------------------------------------


def _check_permission(actor: User | None) -> None:
    if actor is not None and not actor.has_perm(TRACK_PERMISSION):
        raise PermissionDenied(_("Your role does not allow this on shipments."))


@atomic_with_retry()
def shipment_record_contact(*, actor: User | None, shipment: Shipment, note: str) -> Shipment:
    """Who was contacted about the parcel (the recipient, the carrier) and what came of it."""
    _check_permission(actor)
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say whom you contacted and what came of it.")})
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": _("At most %(max)s characters.") % {"max": NOTE_LENGTH}})
    shipment = lock_shipment(shipment)
    if shipment.status == S.CANCELLED:
        raise ShipmentError(_("Shipment %(number)s was cancelled.") % {"number": shipment.number})
    record_event(shipment, ShipmentEventKind.CONTACT, actor=actor, note=note)
    audit_record(actor=actor, action="shipment.contact", obj=shipment, changes={"note": note})
    return shipment


@dataclass(frozen=True)
class Redispatch:
    carrier: str
    tracking_number: str
    expected_delivery_date: date | None = None
    note: str = ""


def _check_redispatch(details: Redispatch, shipment: Shipment) -> None:
    errors: dict[str, str] = {}
    carrier, tracking = details.carrier.strip(), details.tracking_number.strip()
    if not carrier or len(carrier) > 60:
        errors["carrier"] = _("Name the carrier (at most 60 characters).")
    if not tracking or len(tracking) > 40:
        errors["tracking_number"] = _("Enter the tracking number (at most 40 characters).")
    if details.expected_delivery_date and details.expected_delivery_date < timezone.localdate():
        errors["expected_delivery_date"] = _("The expected delivery date cannot be in the past.")
    if len(details.note) > NOTE_LENGTH:
        errors["note"] = _("At most %(max)s characters.") % {"max": NOTE_LENGTH}
    if not errors and (carrier, tracking) == (shipment.carrier, shipment.tracking_number):
        errors["tracking_number"] = _("Enter the new carrier or tracking number.")
    if (
        not errors
        and Shipment.objects.filter(carrier=carrier, tracking_number=tracking)
        .exclude(status=S.CANCELLED)
        .exclude(pk=shipment.pk)
        .exists()
    ):
        errors["tracking_number"] = _(
            "This tracking number of %(carrier)s is already on another shipment."
        ) % {"carrier": carrier}
    if errors:
        raise ValidationError(errors)


@atomic_with_retry()
def shipment_redispatch(*, actor: User | None, shipment: Shipment, details: Redispatch) -> Shipment:
    """Hand a parcel on its way to a carrier again (the carrier re-labelled it, or another
    carrier takes over): new carrier and tracking number, a new expected date when given; a
    parcel held up or back from a delivery round is in transit again."""
    _check_permission(actor)
    shipment = lock_shipment(shipment)
    if shipment.status not in ON_THE_WAY:
        raise ShipmentError(
            _(
                "Only a parcel on its way can be handed to a carrier again; %(number)s is %(status)s."
            )
            % {"number": shipment.number, "status": shipment.get_status_display()}
        )
    _check_redispatch(details, shipment)
    before = {"carrier": shipment.carrier, "tracking_number": shipment.tracking_number}
    shipment.carrier = details.carrier.strip()
    shipment.tracking_number = details.tracking_number.strip()
    chosen = shipment.carrier_service
    if chosen is not None and shipment.carrier != chosen.carrier.name:
        shipment.carrier_service, shipment.shipping_cost = None, None
    if details.expected_delivery_date:
        shipment.expected_delivery_date = details.expected_delivery_date
    fields = ("carrier", "tracking_number", "carrier_service", "shipping_cost")
    fields += ("expected_delivery_date",)
    data = {
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "before": before,
        "expected": shipment.expected_delivery_date.isoformat()
        if shipment.expected_delivery_date
        else "",
    }
    if shipment.status in (S.EXCEPTION, S.OUT_FOR_DELIVERY):
        shipment_transition(
            shipment=shipment, to_status=S.IN_TRANSIT, actor=actor, extra_fields=fields
        )
    else:
        shipment.save(update_fields=[*fields, "updated_at"])
    record_event(
        shipment, ShipmentEventKind.REDISPATCHED, actor=actor, note=details.note.strip(), data=data
    )
    audit_record(actor=actor, action="shipment.redispatch", obj=shipment, changes=data)
    follow(shipment.order, actor)
    return shipment
