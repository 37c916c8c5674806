from django.contrib import admin

from customers.models import Address, Customer
from oms.admin import ReadOnlyAdmin


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "group", "tier", "region", "is_active")
    list_filter = ("group", "tier", "region", "is_active")
    search_fields = ("code", "name", "phone")
    inlines = [AddressInline]
