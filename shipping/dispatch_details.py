"""What a dispatch records from the carrier's paperwork, and the checks it passes first
(complete, sane, a tracking number on no other parcel)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.money import ZERO
from shipping.choices import ServiceLevel, ShipmentStatus
from shipping.models import Shipment

S = ShipmentStatus
MAX_PARCELS = 999
MAX_AMOUNT = Decimal("999999999.99")
MAX_MEASURE = Decimal("99999.9")
LOT_LENGTH = 60


@dataclass(frozen=True)
class DispatchDetails:
    """What the carrier's paperwork says, typed in at dispatch."""

    carrier: str
    tracking_number: str
    service: str = ServiceLevel.STANDARD
    parcels: int = 1
    weight_kg: Decimal | None = None
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None
    declared_value: Decimal = ZERO
    cod_amount: Decimal = ZERO
    expected_delivery_date: date | None = None
    note: str = ""
    measures: dict[str, Decimal | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "measures",
            {
                "weight_kg": self.weight_kg,
                "length_cm": self.length_cm,
                "width_cm": self.width_cm,
                "height_cm": self.height_cm,
            },
        )


def _lock_tracking_number(carrier: str, tracking_number: str) -> None:
    """Serialise dispatches that name the same tracking number (a shipment on its own and a
    merged parcel cannot both take it: the database's unique key tells them apart). Always
    the last lock a dispatch takes, so it never waits in a cycle."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"tracking:{carrier}\x1f{tracking_number}"],
        )


def check_dispatch_details(
    details: DispatchDetails, shipments: list[Shipment], *, parcel_id: int | None = None
) -> None:
    """The carrier's details are complete and sane, and the tracking number is on no other
    parcel (the shipments of one merged parcel share it)."""
    errors = _detail_errors(details)
    carrier, tracking = details.carrier.strip(), details.tracking_number.strip()
    if not errors:
        _lock_tracking_number(carrier, tracking)
        others = (
            Shipment.objects.filter(carrier=carrier, tracking_number=tracking)
            .exclude(status=S.CANCELLED)
            .exclude(pk__in=[s.pk for s in shipments])
        )
        if parcel_id is not None:
            others = others.exclude(merged_parcel_id=parcel_id)
        if others.exists():
            errors["tracking_number"] = _(
                "This tracking number of %(carrier)s is already on another shipment."
            ) % {"carrier": carrier}
    if errors:
        raise ValidationError(errors)


def _detail_errors(details: DispatchDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not details.carrier.strip():
        errors["carrier"] = _("Name the carrier.")
    if not details.tracking_number.strip():
        errors["tracking_number"] = _("Enter the carrier's tracking number.")
    if details.service not in ServiceLevel.values:
        errors["service"] = _("Choose a service level.")
    if not 1 <= details.parcels <= MAX_PARCELS:
        errors["parcels"] = _("Enter between 1 and %(max)s parcels.") % {"max": MAX_PARCELS}
    for name, value in details.measures.items():
        if value is not None and not ZERO <= value <= MAX_MEASURE:
            errors[name] = _("Enter a value between 0 and %(max)s.") % {"max": MAX_MEASURE}
    for name in ("declared_value", "cod_amount"):
        value = getattr(details, name)
        if not ZERO <= value <= MAX_AMOUNT:
            errors[name] = _("Enter an amount between 0 and %(max)s.") % {"max": MAX_AMOUNT}
    if (
        details.expected_delivery_date is not None
        and details.expected_delivery_date < timezone.localdate()
    ):
        errors["expected_delivery_date"] = _("The expected delivery date cannot be in the past.")
    return errors
