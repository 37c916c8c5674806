"""Reads of shipments: querysets shaped for the pages that use them."""

from decimal import Decimal

from django.db.models import DecimalField, F, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from oms.registry import SearchHit
from shipping.choices import OVERDUE_STATUSES
from shipping.models import Shipment, ShipmentEvent, ShipmentLine


def shipment_list() -> QuerySet[Shipment]:
    return Shipment.objects.select_related("order", "warehouse").only(
        "pk",
        "number",
        "status",
        "carrier",
        "service",
        "tracking_number",
        "parcels",
        "expected_delivery_date",
        "created_at",
        "dispatched_at",
        "order__number",
        "order__ship_region",
        "warehouse__code",
    )


def overdue(queryset: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """Shipments still on their way (or not yet gone) past their expected delivery date."""
    return queryset.filter(
        status__in=OVERDUE_STATUSES, expected_delivery_date__lt=timezone.localdate()
    )


def shipment_detail(number: str) -> Shipment | None:
    return (
        Shipment.objects.select_related("order__customer", "warehouse", "created_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ShipmentLine.objects.select_related("product", "order_line"),
            ),
            Prefetch("events", queryset=ShipmentEvent.objects.select_related("actor")),
        )
        .filter(number=number)
        .first()
    )


def order_shipments(order_id: int) -> QuerySet[Shipment]:
    return shipment_list().filter(order_id=order_id).order_by("id")


def carriers() -> list[str]:
    """The carriers shipments have gone with, for the list's filter."""
    return list(
        Shipment.objects.exclude(carrier="")
        .order_by("carrier")
        .values_list("carrier", flat=True)
        .distinct()
    )


def shipment_search(query: str) -> list[SearchHit]:
    """The header search: a shipment by number or tracking number (4+ characters)."""
    query = query.strip()
    if len(query) < 4:
        return []
    from django.db.models import Q

    shipments = (
        Shipment.objects.select_related("order")
        .filter(Q(number__istartswith=query) | Q(tracking_number__iexact=query))
        .order_by("-id")[:20]
    )
    return [
        SearchHit(
            label=s.number,
            detail=" · ".join(filter(None, [str(s.get_status_display()), s.order.number])),
            url=s.get_absolute_url(),
            exact=query.upper() in (s.number.upper(), s.tracking_number.upper()),
        )
        for s in shipments
    ]


def shipment_weight(shipment: Shipment) -> Decimal:
    """The goods' weight from the products' weights: the starting point for the scale's."""
    total = shipment.lines.aggregate(
        kg=Coalesce(
            Sum(F("product__weight_kg") * F("quantity")),
            Decimal(0),
            output_field=DecimalField(max_digits=12, decimal_places=3),
        )
    )["kg"]
    return Decimal(total)
