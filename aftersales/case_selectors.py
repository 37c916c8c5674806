"""Reads of complaints: the queue, a case's page, the panels, the lot trace and the KPI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from aftersales.models import ACTIVE_STATUSES, Case, CaseEvent
from customers.selectors import of_visible_customers
from oms.dashboard import shared_figure
from oms.types import AnyUser
from shipping.models import ShipmentLine

KPI_DAYS = 30


def cases_visible_to(user: AnyUser) -> QuerySet[Case]:
    """The cases of the customers the user may see (sales: their own, with the setting)."""
    return of_visible_customers(Case.objects.all(), user, "customer")


def case_queue(user: AnyUser) -> QuerySet[Case]:
    """The queue: the nearest deadline first; cases whose clock stands (waiting, resolved,
    closed) after them, newest first."""
    return (
        cases_visible_to(user)
        .select_related("customer", "assignee", "order")
        .order_by(F("sla_due_at").asc(nulls_last=True), "-id")
    )


def case_for_page(user: AnyUser, number: str) -> Case | None:
    return (
        cases_visible_to(user)
        .select_related("customer", "assignee", "order", "shipment", "product", "created_by")
        .filter(number=number)
        .first()
    )


def case_timeline(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("actor").order_by("created_at", "id"))


def cases_of(user: AnyUser, **filters) -> QuerySet[Case]:
    """A customer's or an order's cases for its page's panel, newest first."""
    return cases_visible_to(user).filter(**filters).select_related("assignee").order_by("-id")


def due_state(case: Case, now: datetime | None = None) -> str:
    """ "overdue", "due_soon" (its warning went out) or "" for a case whose clock runs."""
    now = now or timezone.now()
    if case.sla_due_at is None:
        return ""
    if case.sla_due_at <= now:
        return "overdue"
    if case.sla_warn_at is not None and case.sla_warn_at <= now:
        return "due_soon"
    return ""


def lot_trace(user: AnyUser, lot: str) -> QuerySet[ShipmentLine]:
    """Every shipment line of a lot the user may see, with what the trace page shows: the
    customer, the order, the shipment and its dispatch, the product; latest dispatch first."""
    lines = ShipmentLine.objects.filter(lot=lot.strip()).select_related(
        "shipment__order__customer", "product"
    )
    return of_visible_customers(lines, user, "shipment__order__customer").order_by(
        F("shipment__dispatched_at").desc(nulls_last=True), "pk"
    )


@dataclass(frozen=True)
class CaseFigures:
    open: int
    overdue: int
    resolved: int  # in the last KPI_DAYS days
    resolved_in_time: int

    @property
    def within_sla_percent(self) -> int | None:
        if not self.resolved:
            return None
        return round(100 * self.resolved_in_time / self.resolved)


def case_figures(user: AnyUser, now: datetime | None = None) -> CaseFigures:
    """The dashboard's figures in one query, shared by its two tiles."""
    if now is None:
        return shared_figure(
            ("aftersales.case_figures", user.pk), lambda: _case_figures(user, timezone.now())
        )
    return _case_figures(user, now)


def _case_figures(user: AnyUser, now: datetime) -> CaseFigures:
    since = now - timedelta(days=KPI_DAYS)
    row = cases_visible_to(user).aggregate(
        open=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        overdue=Count("pk", filter=Q(sla_due_at__lte=now)),
        resolved=Count("pk", filter=Q(resolved_at__gte=since)),
        in_time=Count("pk", filter=Q(resolved_at__gte=since, resolved_within_sla=True)),
    )
    return CaseFigures(row["open"], row["overdue"], row["resolved"], row["in_time"])


def case_workers() -> QuerySet:
    """The active users whose role may work on cases: who a case can be assigned to."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__permissions__codename="change_case",
            groups__permissions__content_type__app_label="aftersales",
        )
        .distinct()
        .order_by("username")
    )
