from django.db.models import Count, Q, QuerySet

from customers.models import Address, Customer
from oms.registry import SearchHit


def customer_list() -> QuerySet[Customer]:
    return Customer.objects.select_related("salesperson")


def customer_detail(pk: int) -> Customer | None:
    return (
        Customer.objects.select_related("salesperson")
        .prefetch_related("addresses")
        .annotate(address_count=Count("addresses"))
        .filter(pk=pk)
        .first()
    )


def customer_address(customer: Customer, pk: int) -> Address | None:
    return customer.addresses.filter(pk=pk).first()


def customer_search(query: str) -> list[SearchHit]:
    """The header search: code or phone (exact opens the customer), name, contact person."""
    customers = Customer.objects.filter(
        Q(code__iexact=query)
        | Q(name__icontains=query)
        | Q(phone__contains=query)
        | Q(contact_person__icontains=query)
    ).order_by("code")[:20]
    return [
        SearchHit(
            label=str(c),
            detail=c.phone,
            url=c.get_absolute_url(),
            exact=c.code.lower() == query.lower() or c.phone == query,
        )
        for c in customers
    ]


def active_customer_count() -> int:
    return Customer.objects.filter(is_active=True).count()
