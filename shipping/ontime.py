"""Carrier on-time rate from history: of the delivered shipments that had an expected
(promised) delivery date, the share delivered by that date (the local day of delivery).

Each read is one aggregate query: the carriers list annotates every carrier at once, a
carrier's page groups its shipments by service level.
"""

from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from shipping.choices import ServiceLevel, ShipmentStatus
from shipping.models import Carrier, Shipment

ON_TIME = Q(delivered_at__date__lte=F("expected_delivery_date"))


def measured() -> QuerySet[Shipment]:
    """The shipments an on-time rate counts: delivered, with a promised date."""
    return Shipment.objects.filter(
        status=ShipmentStatus.DELIVERED,
        expected_delivery_date__isnull=False,
        delivered_at__isnull=False,
    )


@dataclass(frozen=True)
class OnTime:
    delivered: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.delivered if self.delivered else None

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.delivered) if self.delivered else None


def with_on_time(carriers: QuerySet[Carrier]) -> QuerySet[Carrier]:
    """Carriers with `measured_count` and `on_time_count` (shipments name their carrier as
    on its paperwork: the carrier's name), in the same query."""
    by_name = measured().filter(carrier=OuterRef("name")).order_by().values("carrier")

    def count(condition: Q | None = None) -> Coalesce:
        counted = by_name.annotate(
            n=Count("id", filter=condition) if condition is not None else Count("id")
        ).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    return carriers.annotate(measured_count=count(), on_time_count=count(ON_TIME))


def carrier_on_time(carrier: Carrier) -> list[tuple[str, OnTime]]:
    """(service level label, its on-time rate) for each level the carrier delivered with,
    then the carrier as a whole ("" as label). One query."""
    rows = list(
        measured()
        .filter(carrier=carrier.name)
        .values("service")
        .annotate(delivered=Count("id"), on_time=Count("id", filter=ON_TIME))
        .order_by("service")
    )
    result = [
        (
            str(ServiceLevel(row["service"]).label) if row["service"] else "—",
            OnTime(row["delivered"], row["on_time"]),
        )
        for row in rows
    ]
    total = OnTime(sum(r["delivered"] for r in rows), sum(r["on_time"] for r in rows))
    return [*result, ("", total)] if rows else []
