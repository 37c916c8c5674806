from django.db.models import Count, QuerySet

from customers.models import Address, Customer


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
