"""Reads of orders: querysets shaped for the pages and the jobs that use them."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone

from customers.selectors import of_visible_customers
from inventory.choices import WorkOrderStage
from inventory.models import ComponentReservation, StockLevel, WorkOrder
from oms.registry import SearchHit
from oms.roles import ROLES
from oms.selectors import differs_from_sum
from oms.types import AnyUser
from orders.choices import OPEN_STATUSES, REMAINDER_STATUSES, ApprovalDecision, OrderStatus
from orders.models import (
    ORDER_NUMBER_SEQUENCE,
    Allocation,
    Approval,
    Order,
    OrderEvent,
    OrderLine,
)


def orders_visible_to(user: AnyUser, orders: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """The orders (of `orders`, default all) this user may see and act on: those of the
    customers visible to them (customers.selectors.customers_visible_to). Every order page,
    action, list, queue, search, export and dashboard panel reads through this; an order
    outside it answers 404."""
    return of_visible_customers(Order.objects.all() if orders is None else orders, user, "customer")


def order_list(user: AnyUser) -> QuerySet[Order]:
    return (
        orders_visible_to(user)
        .select_related("customer")
        .only(
            "pk",
            "number",
            "status",
            "on_hold",
            "channel",
            "total",
            "priority_score",
            "created_at",
            "requested_delivery_date",
            "ship_region",
            "priority_reasons",
            "picking_started_at",
            "customer__code",
            "customer__name",
            "customer__phone",
        )
    )


def order_detail(number: str, user: AnyUser) -> Order | None:
    return (
        orders_visible_to(user)
        .select_related("customer", "created_by", "channel")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("product").prefetch_related(
                    Prefetch(
                        "allocations",
                        queryset=Allocation.objects.select_related("stock_level__warehouse"),
                    )
                ),
            ),
            Prefetch("approvals", queryset=Approval.objects.select_related("decided_by")),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
        )
        .filter(number=number)
        .first()
    )


def order_for_user(number: str, user: AnyUser) -> Order | None:
    """The order with this number, with its customer, when the user may see it."""
    return orders_visible_to(user).select_related("customer").filter(number=number).first()


def priority_queue(user: AnyUser) -> QuerySet[Order]:
    return order_list(user).filter(status__in=OPEN_STATUSES).order_by("-priority_score", "id")


def pending_approvals_for(roles: set[str], user: AnyUser) -> QuerySet[Approval]:
    """Approvals waiting for one of these roles at the level now being decided, on orders
    the user may see."""
    lowest_pending = (
        Approval.objects.filter(
            order=OuterRef("order"), round=OuterRef("round"), decision=ApprovalDecision.PENDING
        )
        .order_by("level")
        .values("level")[:1]
    )
    waiting = (
        Approval.objects.filter(
            decision=ApprovalDecision.PENDING,
            required_role__in=roles,
            order__status="pending_review",
        )
        .annotate(current_level=Subquery(lowest_pending))
        .filter(level=F("current_level"))
        .select_related("order__customer")
        .order_by("order__id")
    )
    return of_visible_customers(waiting, user, "order__customer")


def reservation_drift() -> QuerySet[StockLevel]:
    """Stock levels whose reserved quantity differs from the sum of their open allocations
    (issued ones left with their shipment) and open component reservations of work orders
    in production (issued or released ones no longer reserve)."""
    return differs_from_sum(
        StockLevel.objects.select_related("product", "warehouse"),
        [
            Allocation.objects.filter(issued_at__isnull=True),
            ComponentReservation.objects.filter(issued_at__isnull=True, released_at__isnull=True),
        ],
        link="stock_level",
        amount="quantity",
        field="reserved",
        total_name="allocated",
    )


def backlog_by_status(user: AnyUser) -> list[dict]:
    """Orders still to be delivered (that the user may see), counted per status, in
    lifecycle order."""
    from django.db.models import Count

    from orders.choices import OrderStatus

    wanted = [
        OrderStatus.PENDING_REVIEW,
        OrderStatus.CONFIRMED,
        *sorted(OPEN_STATUSES - {OrderStatus.CONFIRMED}),
    ]
    counts = dict(
        orders_visible_to(user)
        .filter(status__in=wanted)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    order = [s for s in OrderStatus.values if s in wanted]
    return [{"status": s, "label": OrderStatus(s).label, "count": counts.get(s, 0)} for s in order]


def order_reference_match(value: str) -> Q:
    """Orders someone names by reference: the number or the external reference (PO-AUDIT-1,
    DEMO-01944) by case-insensitive prefix, or the number's sequence typed as digits without
    prefix and zeros ("2002" → SO-2026-002002). Each part has its own btree index."""
    match = Q(number__istartswith=value) | Q(external_reference__istartswith=value)
    sequence = value.lstrip("0")
    if value.isascii() and value.isdigit() and sequence:
        match |= Q(Exact(ORDER_NUMBER_SEQUENCE, sequence))
    return match


def order_search(user: AnyUser, query: str) -> list[SearchHit]:
    """The header search: orders by number, sequence digits or external reference (4+
    characters)."""
    query = query.strip()
    if len(query) < 4:
        return []
    orders = orders_visible_to(user).filter(order_reference_match(query)).order_by("-id")[:20]
    return [
        SearchHit(
            label=o.number,
            detail=" · ".join(filter(None, [str(o.get_status_display()), o.external_reference])),
            url=o.get_absolute_url(),
            exact=query.upper() in (o.number.upper(), o.external_reference.upper()),
        )
        for o in orders
    ]


def customer_recent_orders(customer_id: int, *, limit: int = 20) -> QuerySet[Order]:
    return (
        Order.objects.filter(customer_id=customer_id)
        .only("number", "status", "on_hold", "total", "created_at", "customer_id")
        .order_by("-id")[:limit]
    )


# Orders that were never a sale: left out of a customer's lifetime figures (as in orders.rfm).
NOT_A_SALE = (OrderStatus.DRAFT, OrderStatus.PENDING_REVIEW, OrderStatus.CANCELLED)


def customer_order_figures(customer_id: int) -> dict:
    """The customer's lifetime figures: orders, spend (net of tax, like the 12-month spend),
    average order, first and last order. One aggregate over the customer's orders (index
    order_customer_newest), whatever their number."""
    figures = (
        Order.objects.filter(customer_id=customer_id)
        .exclude(status__in=NOT_A_SALE)
        .aggregate(
            orders=Count("id"),
            spend=Coalesce(Sum("subtotal"), Decimal("0.00")),
            first=Min("created_at"),
            last=Max("created_at"),
        )
    )
    figures["average"] = (
        (figures["spend"] / figures["orders"]).quantize(Decimal("0.01"))
        if figures["orders"]
        else None
    )
    return figures


# An open back-order: a line of a back-ordered order, or of one already partly shipped that
# still owes units, with fewer units held for it than ordered.
BACKORDER_STATUSES = frozenset({OrderStatus.BACKORDERED}) | REMAINDER_STATUSES


def customer_backorder_lines(customer_id: int, *, limit: int = 10) -> list[OrderLine]:
    """The customer's lines still short of stock (`short`: units missing), oldest order first;
    one query with the order and the product."""
    held = (
        Allocation.objects.filter(line=OuterRef("pk"), returned_at__isnull=True)
        .values("line")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return list(
        OrderLine.objects.filter(
            order__customer_id=customer_id,
            order__status__in=BACKORDER_STATUSES,
            order__remainder_cancelled=False,
        )
        .annotate(short=F("quantity") - Coalesce(Subquery(held), 0))
        .filter(short__gt=0)
        .select_related("order", "product")
        .only(
            "line_no",
            "quantity",
            "description",
            "order__number",
            "order__status",
            "order__created_at",
            "order__requested_delivery_date",
            "product__sku",
        )
        .order_by("order_id", "line_no")[:limit]
    )


def user_roles(user: User | None) -> set[str]:
    """The role names (oms/roles.py) the user holds; a superuser holds them all."""
    if user is None or not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(ROLES)
    return set(user.groups.values_list("name", flat=True)) & set(ROLES)


def current_approvals(order: Order) -> QuerySet[Approval]:
    """The pending approvals of the lowest level still open in this review round."""
    pending = order.approvals.filter(round=order.review_round, decision=ApprovalDecision.PENDING)
    lowest = pending.order_by("level").values_list("level", flat=True).first()
    return pending.filter(level=lowest) if lowest is not None else pending.none()


def allocation_waits(order: Order, *, today: date | None = None) -> bool:
    """Stock is not tied up for orders wanted far ahead: they stay confirmed until the
    requested date comes within OMS_ALLOCATION_HORIZON_DAYS (a nightly job allocates them)."""
    if order.requested_delivery_date is None:
        return False
    days = (order.requested_delivery_date - (today or timezone.localdate())).days
    return days > settings.OMS_ALLOCATION_HORIZON_DAYS


def confirmed_orders_due(*, today: date | None = None) -> list[int]:
    """Confirmed orders whose requested date is now within the allocation horizon."""
    horizon = (today or timezone.localdate()) + timedelta(days=settings.OMS_ALLOCATION_HORIZON_DAYS)
    return list(
        Order.objects.filter(status=OrderStatus.CONFIRMED, on_hold=False)
        .filter(Q(requested_delivery_date__isnull=True) | Q(requested_delivery_date__lte=horizon))
        .order_by("-priority_score", "pk")
        .values_list("pk", flat=True)
    )


def backordered_orders_for(product_ids: list[int] | None) -> list[int]:
    """Back-ordered orders waiting for these products (None: any), highest priority first."""
    orders = Order.objects.filter(status=OrderStatus.BACKORDERED, on_hold=False)
    if product_ids is not None:
        orders = orders.filter(lines__product_id__in=product_ids)
    return list(orders.order_by("-priority_score", "pk").values_list("pk", flat=True).distinct())


def remainders_for(product_ids: list[int] | None) -> list[int]:
    """Orders past picking with a line that still owes units of these products (None: any):
    a back-ordered part, or returned goods to send again. Highest priority first."""
    held = (
        Allocation.objects.filter(line=OuterRef("pk"), returned_at__isnull=True)
        .values("line")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    owing = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .annotate(held=Coalesce(Subquery(held), 0))
        .filter(held__lt=F("quantity"))
    )
    if product_ids is not None:
        owing = owing.filter(product_id__in=product_ids)
    return list(
        Order.objects.filter(
            status__in=REMAINDER_STATUSES, on_hold=False, remainder_cancelled=False
        )
        .filter(Exists(owing))
        .order_by("-priority_score", "pk")
        .values_list("pk", flat=True)
    )


def backorders_with_free_stock() -> list[int]:
    """Back-ordered orders for one of whose products some active warehouse has free stock,
    highest priority first: the only ones worth trying again. One query, using the partial
    index on open orders, so it costs next to nothing when nothing waits."""
    free = StockLevel.objects.filter(
        product_id=OuterRef("product_id"),
        on_hand__gt=F("reserved"),
        warehouse__is_active=True,
        warehouse__is_quarantine=False,
    )
    waiting_line = OrderLine.objects.filter(order=OuterRef("pk")).filter(Exists(free))
    return list(
        Order.objects.filter(status=OrderStatus.BACKORDERED, on_hold=False)
        .filter(Exists(waiting_line))
        .order_by("-priority_score", "pk")
        .values_list("pk", flat=True)
    )


def orders_with_finished_work_orders() -> list[int]:
    """Orders in production of which no work order is still being made, highest priority first.

    The catch-up for a lost "work order done" task: such an order should have moved on.
    """
    still_making = WorkOrder.objects.filter(
        order_line_id__in=OrderLine.objects.filter(order=OuterRef("pk")).values("pk")
    ).exclude(stage__in=[WorkOrderStage.DONE, WorkOrderStage.CANCELLED])
    return list(
        Order.objects.filter(status=OrderStatus.IN_PRODUCTION, on_hold=False)
        .exclude(Exists(still_making))
        .order_by("-priority_score", "pk")
        .values_list("pk", flat=True)
    )


def order_for_work_order(work_order_id: int) -> int | None:
    """The id of the order whose line a work order makes goods for (None: made for stock)."""
    line_id = (
        WorkOrder.objects.filter(pk=work_order_id).values_list("order_line_id", flat=True).first()
    )
    if line_id is None:
        return None
    return OrderLine.objects.filter(pk=line_id).values_list("order_id", flat=True).first()


def order_by_public_token(token: str) -> Order | None:
    """The order whose customer link carries this token (None for an empty, unknown, revoked
    or replaced one): the right of the customer's public pages."""
    if not token:
        return None
    return Order.objects.filter(public_token=token).select_related("customer").first()
