"""Receivables: what customers still owe, by how long it is overdue.

Aging reads one row per customer (billing.models.CustomerReceivable: the open installments
added up by due date into the buckets, kept by the services in their transaction), in ONE
query; installments are read only for a customer whose row a new day has overtaken. The
customers' own columns (name, credit limit, unapplied credit, last payment, open orders) are
read for the rows shown only, in one more query, so a page costs the same few queries
whatever the number of customers.

Days overdue = today − due date: 0 is not yet due, 1-30, 31-60, 61-90, and more than 90.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.choices import InvoiceStatus, PaymentKind
from billing.models import CustomerReceivable, Installment, Invoice, Payment, Reminder
from customers.models import Customer
from customers.selectors import of_visible_customers
from oms.db import analytics_db
from oms.money import ZERO
from oms.types import AnyUser
from orders.choices import OPEN_STATUSES, OrderStatus
from orders.models import Order

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
OPEN_AMOUNT = ExpressionWrapper(
    F("amount") - F("amount_paid") - F("amount_credited"), output_field=MONEY_FIELD
)
# The partial index's condition, word for word, so PostgreSQL uses it.
IS_OPEN = Q(amount__gt=F("amount_paid") + F("amount_credited"))

BUCKETS: tuple[tuple[str, Any], ...] = (
    ("not_due", _("Not yet due")),
    ("days_1_30", _("1-30 days")),
    ("days_31_60", _("31-60 days")),
    ("days_61_90", _("61-90 days")),
    ("days_over_90", _("> 90 days")),
)
BUCKET_NAMES = tuple(name for name, _label in BUCKETS)


def bucket_conditions(today: date) -> dict[str, Q]:
    """Each bucket as a condition on the installment's due date."""
    day = timedelta(days=1)
    return {
        "not_due": Q(due_date__gte=today),
        "days_1_30": Q(due_date__lte=today - day, due_date__gte=today - 30 * day),
        "days_31_60": Q(due_date__lte=today - 31 * day, due_date__gte=today - 60 * day),
        "days_61_90": Q(due_date__lte=today - 61 * day, due_date__gte=today - 90 * day),
        "days_over_90": Q(due_date__lte=today - 91 * day),
    }


def bucket_of(due: date, today: date) -> str:
    """The bucket of one due date (the drill-down's rows)."""
    days = (today - due).days
    if days <= 0:
        return "not_due"
    if days <= 30:
        return "days_1_30"
    if days <= 60:
        return "days_31_60"
    if days <= 90:
        return "days_61_90"
    return "days_over_90"


def _sum(condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(OPEN_AMOUNT, filter=condition), Value(ZERO), output_field=MONEY_FIELD)


def open_installments(user: AnyUser) -> QuerySet[Installment]:
    """The open installments of the customers the user may see, on the analytics database."""
    queryset = Installment.objects.using(analytics_db()).filter(IS_OPEN)
    return of_visible_customers(queryset, user, "customer")


# The receivables row's column of each bucket (billing.models.CustomerReceivable).
STORED = {
    "not_due": "open_not_due",
    "days_1_30": "open_1_30",
    "days_31_60": "open_31_60",
    "days_61_90": "open_61_90",
    "days_over_90": "open_over_90",
}


def _bucket(name: str, condition: Q, fresh: Q) -> Case:
    """A bucket of a receivables row: the stored amount while the row is right for the day,
    else the sum of the customer's open installments in it (a row the nightly job has not
    moved on yet: slower, never wrong)."""
    computed = (
        Installment.objects.using(analytics_db())
        .filter(IS_OPEN, condition, customer=OuterRef("customer"))
        .order_by()
        .values("customer")
        .annotate(amount=Sum(OPEN_AMOUNT))
        .values("amount")
    )
    return Case(
        When(fresh, then=F(STORED[name])),
        default=Coalesce(Subquery(computed), Value(ZERO)),
        output_field=MONEY_FIELD,
    )


def aging(user: AnyUser, today: date | None = None) -> QuerySet:
    """One row (a dict) per customer with something open: customer (id), the five buckets,
    overdue and total. Filter it (customer fields as customer__…, amounts as WHERE) and
    order it by any amount; it stays one query over the customers' receivables rows (one per
    customer, kept by the services: billing.receivable_rows), never the installments."""
    today = today or timezone.localdate()
    conditions = bucket_conditions(today)
    # The stored buckets hold from the day they were computed up to the day before an open
    # amount moves to its next bucket.
    fresh = Q(as_of__lte=today, next_change__gt=today)
    rows = CustomerReceivable.objects.using(analytics_db()).filter(open_total__gt=0)
    return (
        of_visible_customers(rows, user, "customer")
        .values("customer")
        .annotate(
            **{name: _bucket(name, condition, fresh) for name, condition in conditions.items()}
        )
        .annotate(
            overdue=ExpressionWrapper(
                F("days_1_30") + F("days_31_60") + F("days_61_90") + F("days_over_90"),
                output_field=MONEY_FIELD,
            ),
            # What is open does not depend on the day: always the stored total.
            total=F("open_total"),
        )
        .order_by("-total", "customer")
    )


def aging_totals(rows: QuerySet) -> dict[str, Decimal | int]:
    """The totals row over the whole filtered set (not just a page): one aggregate query over
    the receivables rows (the page's own query then reads only its rows, by index when sorted
    by total). Overdue is added up from the buckets' totals."""
    sums = rows.order_by().aggregate(
        sum_customers=Count("customer"),
        sum_total=Coalesce(Sum("open_total"), Value(ZERO)),
        **{f"sum_{name}": Coalesce(Sum(name), Value(ZERO)) for name in BUCKET_NAMES},
    )
    totals: dict[str, Decimal | int] = {
        name: sums[f"sum_{name}"] for name in ("customers", "total", *BUCKET_NAMES)
    }
    totals["overdue"] = sum((sums[f"sum_{name}"] for name in BUCKET_NAMES[1:]), ZERO)
    return totals


CUSTOMER_COLUMNS = (
    "code",
    "name",
    "group",
    "region",
    "credit_limit",
    "salesperson",
    "unapplied",
    "last_payment",
    "open_orders",
)


def customer_figures(ids: Iterable[int]) -> dict[int, Customer]:
    """The customers of some aging rows with what the page shows beside their buckets:
    unapplied credit, last payment date and the value of open orders not yet invoiced. One
    query, whatever the number of rows."""
    ids = list(ids)
    if not ids:
        return {}
    credit = (
        Payment.objects.filter(customer=OuterRef("pk"), unapplied__gt=0)
        .values("customer")
        .annotate(total=Sum("unapplied"))
        .values("total")
    )
    last = (
        Payment.objects.filter(customer=OuterRef("pk"), kind=PaymentKind.RECEIPT)
        .order_by("-received_on")
        .values("received_on")[:1]
    )
    invoiced = Invoice.objects.filter(order=OuterRef("pk")).exclude(status=InvoiceStatus.HELD)
    open_orders = (
        Order.objects.filter(
            customer=OuterRef("pk"), status__in=OPEN_STATUSES | {OrderStatus.PENDING_REVIEW}
        )
        .filter(~Exists(invoiced))
        .values("customer")
        .annotate(total=Sum("total"))
        .values("total")
    )
    # The highest reminder level sent for an invoice still open (billing.dunning).
    level = (
        Reminder.objects.filter(customer=OuterRef("pk"))
        .filter(invoice__total__gt=F("invoice__amount_paid") + F("invoice__amount_credited"))
        .order_by("-level")
        .values("level")[:1]
    )
    customers = (
        Customer.objects.using(analytics_db())
        .filter(pk__in=ids)
        .select_related("salesperson")
        .annotate(
            unapplied=Coalesce(Subquery(credit), Value(ZERO), output_field=MONEY_FIELD),
            last_payment=Subquery(last),
            open_orders=Coalesce(Subquery(open_orders), Value(ZERO), output_field=MONEY_FIELD),
            reminder_level=Subquery(level),
        )
    )
    return {customer.pk: customer for customer in customers}


def with_customers(rows: list[dict]) -> list[dict]:
    """Aging rows with their customer's columns added (in place), one query for all."""
    customers = customer_figures(row["customer"] for row in rows)
    for row in rows:
        customer = customers.get(row["customer"])
        if customer is None:  # gone between the two queries: shown without its details
            continue
        row["customer_obj"] = customer
        row["code"] = customer.code
        row["name"] = customer.name
        row["group"] = customer.get_group_display()
        row["region"] = customer.get_region_display()
        row["salesperson"] = str(customer.salesperson or "")
        row["credit_limit"] = customer.credit_limit
        row["unapplied"] = customer.unapplied
        row["last_payment"] = customer.last_payment
        row["reminder_level"] = customer.reminder_level
        row["credit_used"] = row["total"] + customer.open_orders
        row["credit_left"] = customer.credit_limit - row["credit_used"]
    return rows


def customer_open_installments(customer: Customer, today: date | None = None) -> list[dict]:
    """The drill-down: a customer's open installments, oldest due first, with their invoice,
    open amount, days overdue and bucket."""
    today = today or timezone.localdate()
    installments = (
        Installment.objects.using(analytics_db())
        .filter(IS_OPEN, customer=customer)
        .select_related("invoice", "invoice__order")
        .order_by("due_date", "invoice_id", "position")
    )
    rows = []
    for installment in installments:
        overdue = (today - installment.due_date).days
        rows.append(
            {
                "installment": installment,
                "invoice": installment.invoice,
                "due_date": installment.due_date,
                "open": installment.open_amount,
                "days_overdue": max(overdue, 0),
                "bucket": bucket_of(installment.due_date, today),
            }
        )
    return rows


def customer_balance(customer: Customer, today: date | None = None) -> dict[str, Any]:
    """One customer's buckets, overdue and total, and their unapplied credit."""
    today = today or timezone.localdate()
    conditions = bucket_conditions(today)
    figures = (
        Installment.objects.using(analytics_db())
        .filter(IS_OPEN, customer=customer)
        .aggregate(
            **{name: _sum(condition) for name, condition in conditions.items()},
            overdue=_sum(Q(due_date__lt=today)),
            total=_sum(),
        )
    )
    credit = (
        Payment.objects.using(analytics_db())
        .filter(customer=customer, unapplied__gt=0)
        .aggregate(total=Coalesce(Sum("unapplied"), Value(ZERO)))["total"]
    )
    last = (
        Payment.objects.using(analytics_db())
        .filter(customer=customer, kind=PaymentKind.RECEIPT)
        .aggregate(last=Max("received_on"))["last"]
    )
    return figures | {
        "unapplied": credit,
        "balance": figures["total"] - credit,
        "last_payment": last,
    }
