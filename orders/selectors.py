from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery

from inventory.models import StockLevel
from oms.registry import SearchHit
from oms.selectors import differs_from_sum
from orders.choices import OPEN_STATUSES, ApprovalDecision
from orders.models import Allocation, Approval, Order, OrderEvent, OrderLine


def order_list() -> QuerySet[Order]:
    return Order.objects.select_related("customer").only(
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


def order_detail(number: str) -> Order | None:
    return (
        Order.objects.select_related("customer", "created_by")
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


def customer_orders(customer_id: int, limit: int = 20) -> QuerySet[Order]:
    return order_list().filter(customer_id=customer_id)[:limit]


def priority_queue() -> QuerySet[Order]:
    return order_list().filter(status__in=OPEN_STATUSES).order_by("-priority_score", "id")


def pending_approvals_for(roles: set[str]) -> QuerySet[Approval]:
    """Approvals waiting for one of these roles at the level now being decided."""
    lowest_pending = (
        Approval.objects.filter(
            order=OuterRef("order"), round=OuterRef("round"), decision=ApprovalDecision.PENDING
        )
        .order_by("level")
        .values("level")[:1]
    )
    return (
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


def reservation_drift() -> QuerySet[StockLevel]:
    """Stock levels whose reserved quantity differs from the sum of their allocations."""
    return differs_from_sum(
        StockLevel.objects.select_related("product", "warehouse"),
        Allocation.objects.all(),
        link="stock_level",
        amount="quantity",
        field="reserved",
        total_name="allocated",
    )


def backlog_by_status() -> list[dict]:
    """Orders still to be delivered, counted per status, in lifecycle order."""
    from django.db.models import Count

    from orders.choices import OrderStatus

    wanted = [
        OrderStatus.PENDING_REVIEW,
        OrderStatus.CONFIRMED,
        *sorted(OPEN_STATUSES - {OrderStatus.CONFIRMED}),
    ]
    counts = dict(
        Order.objects.filter(status__in=wanted)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    order = [s for s in OrderStatus.values if s in wanted]
    return [{"status": s, "label": OrderStatus(s).label, "count": counts.get(s, 0)} for s in order]


def order_search(query: str) -> list[SearchHit]:
    """The header search: orders whose number starts with what was typed (4+ characters)."""
    if len(query) < 4:
        return []
    orders = Order.objects.filter(number__istartswith=query).order_by("-id")[:20]
    return [
        SearchHit(
            label=o.number,
            detail=o.get_status_display(),
            url=o.get_absolute_url(),
            exact=o.number.lower() == query.lower(),
        )
        for o in orders
    ]


def customer_recent_orders(customer_id: int, *, limit: int = 20) -> QuerySet[Order]:
    return (
        Order.objects.filter(customer_id=customer_id)
        .only("number", "status", "on_hold", "total", "created_at", "customer_id")
        .order_by("-id")[:limit]
    )
