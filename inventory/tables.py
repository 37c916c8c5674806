import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from inventory.models import Product, StockLevel, StockMovement, Warehouse, WorkOrder
from oms.tables import ActiveColumn, BaseTable, MoneyColumn, QuantityColumn, ReferenceColumn
from oms.templatetags.oms import signed


class ProductTable(BaseTable):
    sku = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    name_en = tables.Column()
    category = tables.Column(accessor="category__name", verbose_name=_("Category"))
    unit = tables.Column()
    standard_cost = MoneyColumn()
    total_on_hand = QuantityColumn(verbose_name=_("On hand"))
    total_available = QuantityColumn(verbose_name=_("Available"))
    made_to_order = tables.BooleanColumn(verbose_name=_("Made to order"))
    is_active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = Product
        fields = (
            "sku",
            "name",
            "name_en",
            "category",
            "unit",
            "standard_cost",
            "total_on_hand",
            "total_available",
            "made_to_order",
            "is_active",
        )
        empty_text = _("No products match these filters.")


class WarehouseTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    region = tables.Column()
    city = tables.Column()
    sku_count = QuantityColumn(verbose_name=_("SKUs in stock"))
    units_on_hand = QuantityColumn(verbose_name=_("Units on hand"))
    is_active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = Warehouse
        fields = ("code", "name", "region", "city", "sku_count", "units_on_hand", "is_active")
        empty_text = _("No warehouses match these filters.")


class StockLevelTable(BaseTable):
    sku = tables.Column(
        accessor="product__sku",
        verbose_name=_("SKU"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    product = tables.Column(accessor="product__name", verbose_name=_("Product"))
    warehouse = tables.Column(accessor="warehouse__code", verbose_name=_("Warehouse"))
    bin_location = tables.Column()
    on_hand = QuantityColumn()
    reserved = QuantityColumn()
    available = QuantityColumn(verbose_name=_("Available"))
    safety_stock = QuantityColumn()
    actions = tables.Column(
        empty_values=(), orderable=False, verbose_name="", exclude_from_export=True
    )

    class Meta(BaseTable.Meta):
        model = StockLevel
        fields = (
            "sku",
            "product",
            "warehouse",
            "bin_location",
            "on_hand",
            "reserved",
            "available",
            "safety_stock",
        )
        empty_text = _("No stock matches these filters.")
        row_attrs = {
            "class": lambda record: (
                "table-warning" if record.available < record.safety_stock else ""
            )
        }

    def render_actions(self, record):
        request = getattr(self, "request", None)
        query = "?" + urlencode({"product": record.product.sku, "warehouse": record.warehouse_id})
        buttons = [
            (permission, url, label, icon)
            for permission, url, label, icon in (
                (
                    "inventory.receive_stock",
                    reverse("inventory:stock_receive") + query,
                    _("Receive"),
                    "box-arrow-in-down",
                ),
                (
                    "inventory.adjust_stock",
                    reverse("inventory:stock_adjust") + query,
                    _("Adjust"),
                    "sliders",
                ),
                (
                    "inventory.adjust_stock",
                    reverse("inventory:stock_level_edit", args=[record.pk]),
                    _("Bin and safety stock"),
                    "pencil",
                ),
            )
            if request is not None and request.user.has_perm(permission)
        ]
        return format_html_join(
            " ",
            '<a class="btn btn-sm btn-outline-secondary" href="{}" title="{}" aria-label="{}">'
            '<i class="bi bi-{}"></i></a>',
            ((url, label, label, icon) for _perm, url, label, icon in buttons),
        )


class LowStockTable(StockLevelTable):
    shortfall = QuantityColumn(verbose_name=_("Shortfall"))

    class Meta(StockLevelTable.Meta):
        fields = (
            "sku",
            "product",
            "warehouse",
            "bin_location",
            "on_hand",
            "reserved",
            "available",
            "safety_stock",
            "shortfall",
        )
        order_by = ("-shortfall",)
        empty_text = _("Nothing is below its safety stock.")


class StockMovementTable(BaseTable):
    created_at = tables.DateTimeColumn(verbose_name=_("Time"), format="SHORT_DATETIME_FORMAT")
    kind = tables.Column()
    sku = tables.Column(
        accessor="product__sku",
        verbose_name=_("SKU"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    product = tables.Column(accessor="product__name", verbose_name=_("Product"))
    warehouse = tables.Column(accessor="warehouse__code", verbose_name=_("Warehouse"))
    quantity = QuantityColumn()
    balance_after = QuantityColumn()
    reason = tables.Column()
    reference = ReferenceColumn()
    note = tables.Column()
    actor = tables.Column(accessor="actor__username", verbose_name=_("By"))

    class Meta(BaseTable.Meta):
        model = StockMovement
        fields = (
            "created_at",
            "kind",
            "sku",
            "product",
            "warehouse",
            "quantity",
            "balance_after",
            "reason",
            "reference",
            "note",
            "actor",
        )
        empty_text = _("No stock movements match these filters.")

    def render_quantity(self, value):
        css = "text-success" if value > 0 else "text-danger"
        return format_html('<span class="{}">{}</span>', css, signed(value))


class WorkOrderTable(BaseTable):
    number = tables.Column()
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), format="SHORT_DATETIME_FORMAT")
    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"))
    product = tables.Column(accessor="product__name", verbose_name=_("Product"))
    quantity = QuantityColumn()
    warehouse = tables.Column(accessor="warehouse__code", verbose_name=_("Warehouse"))
    reference = ReferenceColumn(verbose_name=_("Order"))
    stage = tables.Column()
    actions = tables.Column(
        empty_values=(), orderable=False, verbose_name="", exclude_from_export=True
    )

    class Meta(BaseTable.Meta):
        model = WorkOrder
        fields = (
            "number",
            "created_at",
            "sku",
            "product",
            "quantity",
            "warehouse",
            "reference",
            "stage",
        )
        empty_text = _("No work orders match these filters.")

    def render_actions(self, record):
        request = getattr(self, "request", None)
        if (
            record.stage in ("done", "cancelled")
            or request is None
            or not request.user.has_perm("inventory.advance_work_order")
        ):
            return ""
        return format_html(
            '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-outline-primary" type="submit">{}</button></form>',
            reverse("inventory:work_order_advance", args=[record.pk]),
            get_token(request),
            _("Next stage"),
        )
