"""Reads of shipments: querysets shaped for the pages that use them."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.selectors import of_visible_customers
from inventory.selectors import bins
from oms.registry import SearchHit
from oms.types import AnyUser
from orders.choices import OrderStatus
from orders.models import Order, OrderLine
from orders.services import ShipmentProgress
from orders.services.fulfilment import SHIPPED_ALLOCATION, fulfilment_target
from shipping.choices import (
    MOVING_STATUSES,
    OVERDUE_STATUSES,
    PICKING_STATUSES,
    ReturnResolution,
    ShipmentStatus,
)
from shipping.delivery_filters import booked_slot_text, with_booked_slot
from shipping.models import Carrier, Rate, Shipment, ShipmentEvent, ShipmentLine
from shipping.ontime import with_on_time


def shipments_visible_to(user: AnyUser) -> QuerySet[Shipment]:
    """The shipments of the orders this user may see (orders.selectors.orders_visible_to):
    every shipment page, action, list, export and search reads through this."""
    return of_visible_customers(Shipment.objects.all(), user, "order__customer")


def shipment_list(user: AnyUser) -> QuerySet[Shipment]:
    return shipment_rows(shipments_visible_to(user))


def shipment_rows(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """What a row of the shipments table reads (with its order's delivery slot there)."""
    return (
        shipments.select_related("order", "warehouse", "pickup_point")
        .annotate(delivery_slot=booked_slot_text())
        .only(
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
            "pickup_point__name",
        )
    )


def overdue(queryset: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """Shipments still on their way (or not yet gone) past their expected delivery date."""
    return queryset.filter(
        status__in=OVERDUE_STATUSES, expected_delivery_date__lt=timezone.localdate()
    )


def shipment_detail(user: AnyUser, number: str) -> Shipment | None:
    return (
        shipments_visible_to(user)
        .select_related(
            "order__customer",
            "warehouse",
            "created_by",
            "carrier_service__carrier",
            "merged_parcel",
        )
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
    return shipment_rows(Shipment.objects.filter(order_id=order_id)).order_by("id")


def carriers() -> list[str]:
    """The carriers shipments have gone with, for the list's filter."""
    return list(
        Shipment.objects.exclude(carrier="")
        .order_by("carrier")
        .values_list("carrier", flat=True)
        .distinct()
    )


def shipment_search(user: AnyUser, query: str) -> list[SearchHit]:
    """The header search: a shipment by number or tracking number (4+ characters), among the
    orders the user may see."""
    query = query.strip()
    if len(query) < 4:
        return []

    shipments = (
        shipments_visible_to(user)
        .select_related("order")
        .filter(Q(number__istartswith=query) | Q(tracking_number__iexact=query))
        .filter(pk__in=shipments_visible_to(user).values("pk"))
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


def counted_shipments() -> QuerySet[Shipment]:
    """The shipments an order's progress counts: a returned parcel whose goods went out again
    is left out (the new shipment carries them)."""
    return Shipment.objects.exclude(return_receipt__resolution=ReturnResolution.RESHIPPED)


def progress_from_counts(counts: dict[str, int]) -> ShipmentProgress:
    """{shipment status: count} of one order as orders' ShipmentProgress."""
    S = ShipmentStatus
    return ShipmentProgress(
        waiting=counts.get(S.PENDING, 0),
        picking=sum(counts.get(s, 0) for s in PICKING_STATUSES),
        dispatched=counts.get(S.DISPATCHED, 0),
        moving=sum(counts.get(s, 0) for s in MOVING_STATUSES),
        delivered=counts.get(S.DELIVERED, 0),
        returned=counts.get(S.RETURNED, 0),
    )


def fulfilment_drift(*, batch: int = 2000) -> list[tuple[Order, str]]:
    """Orders whose stored fulfilment status is not what their shipments and unshipped
    remainder say, with the status expected: the nightly check of the denormalised field.
    Reads the orders that have shipments in batches, three queries a batch."""
    drift: list[tuple[Order, str]] = []
    last = 0
    with_shipments = Order.objects.filter(shipments__isnull=False).exclude(
        status=OrderStatus.CANCELLED
    )
    while True:
        ids = list(
            with_shipments.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()[:batch]
        )
        if not ids:
            return drift
        last = ids[-1]
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        for order_id, status, n in (
            counted_shipments()
            .filter(order_id__in=ids)
            .values_list("order_id", "status")
            .annotate(n=Count("id"))
            .order_by()
        ):
            counts[order_id][status] = n
        short = set(
            OrderLine.objects.filter(order_id__in=ids)
            .annotate(
                issued=Coalesce(
                    Sum("allocations__quantity", filter=SHIPPED_ALLOCATION),
                    0,
                )
            )
            .filter(issued__lt=F("quantity"))
            .values_list("order_id", flat=True)
        )
        for order in Order.objects.filter(pk__in=ids).only(
            "pk", "number", "fulfilment_status", "remainder_cancelled"
        ):
            remainder = order.pk in short and not order.remainder_cancelled
            _status, expected = fulfilment_target(
                progress_from_counts(counts[order.pk]), remainder=remainder
            )
            if expected != order.fulfilment_status:
                drift.append((order, expected))


# Shipments a wave may pick: not yet packed.
WAVE_STATUSES = (ShipmentStatus.PENDING, ShipmentStatus.PICKING)


def wave_candidates(
    *,
    warehouse_id: int,
    min_priority: int | None,
    due_by: date | None,
    limit: int,
    slot_date: date | None = None,
    slot_starts: str | None = None,
) -> QuerySet[Shipment]:
    """A warehouse's shipments still to pick, most urgent first (priority, then due date);
    with a slot date or time, those whose order booked such a delivery slot."""
    shipments = Shipment.objects.select_related("order").filter(
        warehouse_id=warehouse_id, status__in=WAVE_STATUSES
    )
    if min_priority is not None:
        shipments = shipments.filter(order__priority_score__gte=min_priority)
    if due_by is not None:
        shipments = shipments.filter(order__requested_delivery_date__lte=due_by)
    if slot_date is not None or slot_starts:
        shipments = with_booked_slot(shipments, day=slot_date, starts=slot_starts)
    return shipments.annotate(delivery_slot=booked_slot_text()).order_by(
        "-order__priority_score", F("order__requested_delivery_date").asc(nulls_last=True), "id"
    )[:limit]


@dataclass
class WaveRow:
    """One product in one bin: the total to take and how it splits over the orders."""

    bin: str
    sku: str
    name: str
    unit: str
    fragile: bool
    quantity: int = 0
    split: dict[str, int] = field(default_factory=dict)  # order number → quantity


def wave_rows(shipments: list[Shipment]) -> list[WaveRow]:
    """The wave's pick list rows, in the order a picker walks the bins (no bin last)."""
    rows: dict[int, WaveRow] = {}
    lines = (
        ShipmentLine.objects.filter(shipment__in=[s.pk for s in shipments])
        .select_related("product", "shipment__order")
        .only(
            "quantity",
            "product__sku",
            "product__name",
            "product__unit",
            "product__fragile",
            "shipment__order__number",
        )
        .order_by("shipment__order__number", "id")
    )
    warehouse_ids = {s.warehouse_id for s in shipments}
    for line in lines:
        product = line.product
        row = rows.get(product.pk)
        if row is None:
            row = rows[product.pk] = WaveRow(
                bin="",
                sku=product.sku,
                name=product.name,
                unit=str(product.get_unit_display()),
                fragile=product.fragile,
            )
        row.quantity += line.quantity
        number = line.shipment.order.number
        row.split[number] = row.split.get(number, 0) + line.quantity
    if len(warehouse_ids) == 1:
        for product_id, location in bins(warehouse_ids.pop(), list(rows)).items():
            rows[product_id].bin = location
    return sorted(rows.values(), key=lambda row: (not row.bin, row.bin, row.sku))


def carrier_list() -> QuerySet[Carrier]:
    return with_on_time(
        Carrier.objects.annotate(
            service_count=Count("services", distinct=True),
            lane_count=Count("services__rates", distinct=True),
        )
    ).order_by("-active", "name")


def rate_rows() -> QuerySet[Rate]:
    """Every rate card row, a carrier's together (the rate cards page)."""
    return Rate.objects.select_related("service__carrier").order_by(
        "service__carrier__name", "service__level", "origin", "destination"
    )


def carrier_rates(carrier: Carrier) -> QuerySet[Rate]:
    return (
        Rate.objects.filter(service__carrier=carrier)
        .select_related("service")
        .order_by("service__level", "origin", "destination")
    )
