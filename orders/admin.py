from django.contrib import admin

from oms.admin import ReadOnlyAdmin
from orders.models import ApprovalRule, Order, PriceList, PriceListItem, Promotion, ShippingRule


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Price lists, promotions and shipping rules are kept on the back-office pages (Settings),
# whose services validate and audit every change; here superusers only look.
@admin.register(PriceList)
class PriceListAdmin(ReadOnlyAdmin):
    list_display = ("name", "customer_group", "prices_include_tax", "is_active")
    inlines = [PriceListItemInline]


@admin.register(Promotion)
class PromotionAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "kind",
        "value",
        "scope",
        "starts_on",
        "ends_on",
        "stackable",
        "is_active",
    )
    list_filter = ("kind", "scope", "is_active")


@admin.register(ShippingRule)
class ShippingRuleAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "region",
        "max_weight_kg",
        "base_fee",
        "per_kg_fee",
        "free_above",
        "is_active",
    )


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(ReadOnlyAdmin):
    list_display = ("name", "condition", "threshold", "required_role", "level", "is_active")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "customer", "status", "total", "created_at")
    list_filter = ("status", "channel")
    search_fields = ("number",)
    list_select_related = ("customer",)
