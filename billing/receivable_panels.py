"""Receivables on other pages: the customer page's panel (balance, aging, open invoices,
recent payments) and the dashboard's tiles (total receivables, overdue share, DSO, collected
this month)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import InvoiceStatus, PaymentKind, PaymentMethod
from billing.models import Invoice, Payment
from billing.receivables import (
    BUCKETS,
    _sum,
    customer_balance,
    customer_open_installments,
    open_installments,
)
from customers.choices import PaymentTerms
from customers.models import Customer
from customers.selectors import customer_visible_to, of_visible_customers
from oms.dashboard import shared_figure
from oms.db import analytics_db
from oms.money import ZERO
from oms.registry import KpiValue
from oms.types import AnyUser


def customer_receivables_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    if not customer_visible_to(customer, request.user):
        return None
    balance = customer_balance(customer)
    payments = list(
        Payment.objects.using(analytics_db())
        .filter(customer=customer)
        .order_by("-received_on", "-id")[:5]
    )
    if not balance["total"] and not payments and not balance["unapplied"]:
        return None
    return {
        "customer": customer,
        "balance": balance,
        "buckets": [(name, label, balance[name]) for name, label in BUCKETS],
        "rows": customer_open_installments(customer)[:10],
        "payments": payments,
    }


def receivable_figures(user: AnyUser, today=None) -> dict[str, Decimal]:
    """Total open, overdue, credit sales of the last 90 days, collected this month: the
    dashboard's tiles, as far as the user sees (sales: their own customers). The four tiles of
    one page share one computation."""
    today = today or timezone.localdate()
    return shared_figure(
        ("billing.receivable_figures", user.pk, today), lambda: _receivable_figures(user, today)
    )


def _receivable_figures(user: AnyUser, today) -> dict[str, Decimal]:
    open_ = open_installments(user).aggregate(total=_sum(), overdue=_sum(Q(due_date__lt=today)))
    invoices = of_visible_customers(Invoice.objects.using(analytics_db()), user, "customer")
    credit_sales = (
        invoices.exclude(status=InvoiceStatus.HELD)
        .exclude(payment_terms=PaymentTerms.PREPAID)
        .filter(issue_date__gt=today - timedelta(days=90), issue_date__lte=today)
        .aggregate(total=Coalesce(Sum("total"), ZERO))["total"]
    )
    payments = of_visible_customers(Payment.objects.using(analytics_db()), user, "customer")
    collected = (
        payments.filter(kind=PaymentKind.RECEIPT, received_on__gte=today.replace(day=1))
        .filter(received_on__lte=today)
        .exclude(method=PaymentMethod.CUSTOMER_CREDIT)
        .aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    )
    return {
        "total": open_["total"],
        "overdue": open_["overdue"],
        "credit_sales_90": credit_sales,
        "collected_month": collected,
    }


def overdue_share(figures: dict) -> Decimal | None:
    if not figures["total"]:
        return None
    return (figures["overdue"] * 100 / figures["total"]).quantize(Decimal("0.1"))


def dso(figures: dict) -> Decimal | None:
    """Days sales outstanding: receivables / credit sales of the last 90 days × 90."""
    if not figures["credit_sales_90"]:
        return None
    return (figures["total"] * 90 / figures["credit_sales_90"]).quantize(Decimal("0.1"))


def _list_url(query: str = "") -> str:
    return reverse("billing:receivable_list") + query


def kpi_total(user: AnyUser) -> KpiValue:
    figures = receivable_figures(user)
    return KpiValue(_("Receivables"), figures["total"], money=True, url=_list_url())


def kpi_overdue(user: AnyUser) -> KpiValue:
    figures = receivable_figures(user)
    share = overdue_share(figures)
    return KpiValue(
        _("Overdue share"),
        f"{share} %" if share is not None else "—",
        url=_list_url("?overdue=true"),
        detail=_("%(amount)s overdue") % {"amount": figures["overdue"]},
        warn=share is not None and share > 30,
    )


def kpi_dso(user: AnyUser) -> KpiValue:
    days = dso(receivable_figures(user))
    return KpiValue(
        _("DSO"),
        _("%(days)s days") % {"days": days} if days is not None else "—",
        url=_list_url(),
        detail=_("receivables ÷ credit sales of 90 days × 90"),
    )


def kpi_collected(user: AnyUser) -> KpiValue:
    figures = receivable_figures(user)
    return KpiValue(_("Collected this month"), figures["collected_month"], money=True)
