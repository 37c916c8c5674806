"""Reads of returns: what an order may still send back, the lists and pages' querysets."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Prefetch, QuerySet, Sum

from aftersales.models import ReturnEvent, ReturnLine, ReturnRequest
from aftersales.return_choices import RELEASED_STATUSES
from customers.selectors import of_visible_customers
from oms.db import typed_id
from oms.types import AnyUser
from orders.models import Order, OrderLine
from shipping.choices import ShipmentStatus
from shipping.models import ShipmentLine


@dataclass
class ReturnableLine:
    order_line: OrderLine
    delivered: int  # units of the line in delivered shipments
    returned: int  # units in returns that are not rejected or cancelled
    delivered_at: datetime | None  # the latest delivery of the line's goods

    @property
    def returnable(self) -> int:
        return max(0, self.delivered - self.returned)


def returnable_lines(order: Order, *, any_returns: bool = True) -> list[ReturnableLine]:
    """Every line of the order with what was delivered and what returns already hold (three
    queries, two when the caller knows the order has no return). Read under the order's lock
    when it decides a request."""
    delivered = {
        row["order_line"]: row
        for row in ShipmentLine.objects.filter(
            shipment__order=order, shipment__status=ShipmentStatus.DELIVERED
        )
        .values("order_line")
        .annotate(units=Sum("quantity"), at=Max("shipment__delivered_at"))
    }
    returned = (
        dict(
            ReturnLine.objects.filter(request__order=order)
            .exclude(request__status__in=RELEASED_STATUSES)
            .values("order_line")
            .annotate(units=Sum("quantity"))
            .values_list("order_line", "units")
        )
        if any_returns
        else {}
    )
    lines = OrderLine.objects.filter(order=order).select_related("product").order_by("line_no")
    return [
        ReturnableLine(
            order_line=line,
            delivered=delivered.get(line.pk, {}).get("units") or 0,
            returned=returned.get(line.pk) or 0,
            delivered_at=delivered.get(line.pk, {}).get("at"),
        )
        for line in lines
    ]


def returns_visible_to(user: AnyUser) -> QuerySet[ReturnRequest]:
    """The returns of the customers this user may see; every page, photo and export reads
    through this (outside it: 404)."""
    return of_visible_customers(ReturnRequest.objects.all(), user, "customer")


def return_list(user: AnyUser) -> QuerySet[ReturnRequest]:
    return returns_visible_to(user).select_related("order", "customer")


def return_detail(reference: str, user: AnyUser) -> ReturnRequest | None:
    """A return by its RMA number or, before it has one, by its id."""
    queryset = returns_visible_to(user).select_related(
        "order", "customer", "warehouse", "return_carrier", "created_by"
    )
    if reference.upper().startswith("RMA-"):
        queryset = queryset.filter(number=reference.upper())
    elif (pk := typed_id(reference, max_digits=9)) is not None:
        queryset = queryset.filter(pk=pk)
    else:
        return None
    return queryset.prefetch_related(
        Prefetch(
            "lines",
            queryset=ReturnLine.objects.select_related(
                "order_line__product", "stock_movement__warehouse", "inspected_by"
            ).order_by("order_line__line_no"),
        ),
        "photos",
        Prefetch("events", queryset=ReturnEvent.objects.select_related("actor").order_by("id")),
    ).first()


def returns_of_order(order: Order) -> list[ReturnRequest]:
    return list(
        ReturnRequest.objects.filter(order=order)
        .order_by("-id")
        .prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line__product")),
            Prefetch("events", queryset=ReturnEvent.objects.select_related("actor").order_by("id")),
        )
    )


def returns_of_customer(customer_id: int, *, limit: int = 20) -> list[ReturnRequest]:
    return list(
        ReturnRequest.objects.filter(customer_id=customer_id)
        .select_related("order")
        .order_by("-id")[:limit]
    )


def returns_of_case(user: AnyUser, case) -> QuerySet[ReturnRequest]:
    """The returns a case led to, as the user may see them, newest first."""
    return returns_visible_to(user).filter(case=case).order_by("-id")


def return_unit_costs(order: Order) -> dict[int, object]:
    """Per order line, the cost its goods left at (fixed on the shipment line at dispatch)."""
    rows = (
        ShipmentLine.objects.filter(
            shipment__order=order,
            shipment__status=ShipmentStatus.DELIVERED,
            unit_cost__isnull=False,
        )
        .order_by("order_line", "-shipment__delivered_at")
        .values_list("order_line", "unit_cost")
    )
    costs: dict[int, object] = {}
    for line_id, cost in rows:
        costs.setdefault(line_id, cost)
    return costs


def destination_warehouse_id(order: Order) -> int | None:
    """Where the goods go back by default: the warehouse that shipped most of the order."""
    row = (
        ShipmentLine.objects.filter(
            shipment__order=order, shipment__status=ShipmentStatus.DELIVERED
        )
        .values("shipment__warehouse")
        .annotate(units=Sum("quantity"))
        .order_by("-units", "shipment__warehouse")
        .first()
    )
    return row["shipment__warehouse"] if row else None
