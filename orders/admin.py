from django.contrib import admin

from oms.admin import ReadOnlyAdmin, ReadOnlyInline
from orders.models import ApprovalRule, Order, PriceList, PriceListItem, Promotion, ShippingRule
from orders.tables import PromotionTable, ShippingRuleTable


class PriceListItemInline(ReadOnlyInline):
    model = PriceListItem


# Price lists, promotions and shipping rules are kept on the back-office pages (Settings),
# whose services validate and audit every change; here superusers only look, at the columns
# of the back-office lists.
@admin.register(PriceList)
class PriceListAdmin(ReadOnlyAdmin):
    list_display = ("name", "customer_group", "prices_include_tax", "is_active")
    inlines = [PriceListItemInline]


@admin.register(Promotion)
class PromotionAdmin(ReadOnlyAdmin):
    list_display = PromotionTable.Meta.fields
    list_filter = ("kind", "scope", "is_active")


@admin.register(ShippingRule)
class ShippingRuleAdmin(ReadOnlyAdmin):
    list_display = ShippingRuleTable.Meta.fields


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(ReadOnlyAdmin):
    list_display = ("name", "condition", "threshold", "required_role", "level", "is_active")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "customer", "status", "total", "created_at")
    list_filter = ("status", "channel")
    search_fields = ("number",)
    list_select_related = ("customer",)
