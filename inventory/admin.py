from django.contrib import admin

from inventory.models import Category, Product, StockLevel, StockMovement, Warehouse
from oms.admin import ReadOnlyAdmin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en")
    search_fields = ("name", "name_en")


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("sku", "name", "category", "is_active")
    list_filter = ("category", "is_active", "made_to_order")
    search_fields = ("sku", "name", "name_en")


@admin.register(Warehouse)
class WarehouseAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "region", "city", "is_active")


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ("product", "warehouse", "bin_location", "on_hand", "reserved", "safety_stock")
    list_select_related = ("product", "warehouse")
    list_filter = ("warehouse",)
    search_fields = ("product__sku",)


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "kind",
        "product",
        "warehouse",
        "quantity",
        "balance_after",
        "actor",
    )
    list_select_related = ("product", "warehouse", "actor")
    list_filter = ("kind", "warehouse")
