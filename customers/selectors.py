from django.conf import settings
from django.db.models import Count, Q, QuerySet

from customers.choices import CustomerTier
from customers.models import Address, Customer, CustomerNote, TierThreshold
from oms.models import AuditLog
from oms.registry import SearchHit
from oms.types import AnyUser

# Held by every role but sales (customers/registrations.py): with OMS_SALES_OWN_CUSTOMERS_ONLY
# on, a user without it sees only the customers they are the salesperson of.
SEE_ALL_CUSTOMERS = "customers.view_all_customers"


def own_customers_only(user: AnyUser) -> bool:
    """Is the user limited to their own customers (and those customers' orders)? Only when
    the installation says so (OMS_SALES_OWN_CUSTOMERS_ONLY) and the user's roles give no
    wider view: a sales user, unless they hold another role too."""
    return settings.OMS_SALES_OWN_CUSTOMERS_ONLY and not user.has_perm(SEE_ALL_CUSTOMERS)


def customers_visible_to(user: AnyUser) -> QuerySet[Customer]:
    """The customers this user may see and act on; the one rule every page, search, export,
    option list and dashboard tile that shows customers (or their orders) builds on. Anything
    outside it answers 404, as if it did not exist."""
    if not user.is_authenticated:
        return Customer.objects.none()
    if own_customers_only(user):
        return Customer.objects.filter(salesperson_id=user.pk)
    return Customer.objects.all()


def of_visible_customers(queryset: QuerySet, user: AnyUser, path: str) -> QuerySet:
    """`queryset` (rows that belong to a customer through `path`: "customer" for orders,
    "order__customer" for approvals) limited to the customers visible to the user."""
    if not user.is_authenticated:
        return queryset.none()
    if own_customers_only(user):
        return queryset.filter(**{f"{path}__in": customers_visible_to(user)})
    return queryset


def customer_visible_to(customer: Customer, user: AnyUser) -> bool:
    """customers_visible_to for one customer already loaded (a service's guard)."""
    if not user.is_authenticated:
        return False
    return not own_customers_only(user) or customer.salesperson_id == user.pk


def customer_list(user: AnyUser) -> QuerySet[Customer]:
    return customers_visible_to(user).select_related("salesperson")


def customer_detail(pk: int, user: AnyUser) -> Customer | None:
    return (
        customers_visible_to(user)
        .select_related("salesperson")
        .prefetch_related("addresses")
        .annotate(address_count=Count("addresses"))
        .filter(pk=pk)
        .first()
    )


def customer_address(customer: Customer, pk: int) -> Address | None:
    return customer.addresses.filter(pk=pk).first()


def customer_search(user: AnyUser, query: str) -> list[SearchHit]:
    """The header search: code or phone (exact opens the customer), name, contact person."""
    customers = (
        customers_visible_to(user)
        .filter(
            Q(code__iexact=query)
            | Q(name__icontains=query)
            | Q(phone__contains=query)
            | Q(contact_person__icontains=query)
        )
        .order_by("code")[:20]
    )
    return [
        SearchHit(
            label=str(c),
            detail=c.phone,
            url=c.get_absolute_url(),
            exact=c.code.lower() == query.lower() or c.phone == query,
        )
        for c in customers
    ]


def active_customer_count(user: AnyUser) -> int:
    return customers_visible_to(user).filter(is_active=True).count()


def tier_thresholds() -> dict[str, object]:
    """tier -> the 12-month spend it starts at."""
    return dict(TierThreshold.objects.values_list("tier", "min_spend"))


def tier_counts() -> list[dict]:
    """How many customers each tier holds, lowest tier first."""
    counts = dict(Customer.objects.values_list("tier").annotate(n=Count("id")).order_by())
    return [
        {"tier": tier, "label": label, "count": counts.get(tier, 0)}
        for tier, label in CustomerTier.choices
    ]


def customer_tier_changes(customer_id: int, *, limit: int = 10) -> list[AuditLog]:
    """The customer's latest tier changes (audit rows), newest first."""
    return list(
        AuditLog.objects.filter(
            object_type="customers.customer",
            object_id=str(customer_id),
            action__in=["customer.tier_change", "customer.update"],
            changes__has_key="tier",
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def customer_notes(customer_id: int, *, limit: int = 5) -> list[CustomerNote]:
    """The customer's latest contact notes with their authors, newest first (one query)."""
    return list(
        CustomerNote.objects.filter(customer_id=customer_id)
        .select_related("author")
        .order_by("-created_at", "-id")[:limit]
    )
