from django.contrib import admin

from customers.models import Address, Customer
from oms.admin import ReadOnlyAdmin, ReadOnlyInline


class AddressInline(ReadOnlyInline):
    model = Address


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "group", "tier", "region", "is_active")
    list_filter = ("group", "tier", "region", "is_active")
    search_fields = ("code", "name", "phone")
    inlines = [AddressInline]
