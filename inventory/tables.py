from decimal import Decimal
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from inventory.choices import STOCK_COUNT_STATUS_TONES
from inventory.models import (
    DemandForecast,
    Product,
    StockCount,
    StockLevel,
    StockMovement,
    TaxClass,
    TaxRate,
    Warehouse,
    WorkOrder,
)
from inventory.selectors import replenishment_quantity
from oms.tables import (
    ActionsColumn,
    ActiveColumn,
    BaseTable,
    DateColumn,
    DateTimeColumn,
    MoneyColumn,
    QuantityColumn,
    ReferenceColumn,
    RowAction,
    format_money,
    grouped_number,
)
from oms.templatetags.oms import signed, status_badge_html


class ProductTable(BaseTable):
    sku = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    name_en = tables.Column()
    category = tables.Column(accessor="category__name", verbose_name=_("Category"))
    barcode = tables.Column(attrs={"td": {"class": "font-monospace text-nowrap"}})
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
            "barcode",
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


def _stock_query(level: StockLevel) -> str:
    return "?" + urlencode({"product": level.product.sku, "warehouse": level.warehouse_id})


class ProductInWarehouseTable(BaseTable):
    """The columns of a row about one product in one warehouse: its SKU (linked to the
    product), name and warehouse code; they come first unless Meta.sequence says otherwise."""

    sku = tables.Column(
        accessor="product__sku",
        verbose_name=_("SKU"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    product = tables.Column(accessor="product__name", verbose_name=_("Product"))
    warehouse = tables.Column(accessor="warehouse__code", verbose_name=_("Warehouse"))


class AverageCostColumn(MoneyColumn):
    """A stock row's moving-average cost, or "no cost" while none was ever recorded; the
    export gives the exact average (4 places), empty without a cost."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("Average cost"))
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        if not record.cost_known:
            return format_html('<span class="badge text-bg-warning">{}</span>', _("no cost"))
        return format_money(value)

    def value(self, value, record):
        return value if record.cost_known else None


class StockLevelTable(ProductInWarehouseTable):
    bin_location = tables.Column()
    on_hand = QuantityColumn()
    reserved = QuantityColumn()
    available = QuantityColumn(verbose_name=_("Available"))
    safety_stock = QuantityColumn()
    average_cost = AverageCostColumn()
    actions = ActionsColumn(
        [
            RowAction(
                _("Receive"),
                "inventory.receive_stock",
                lambda level: reverse("inventory:stock_receive") + _stock_query(level),
                icon="box-arrow-in-down",
            ),
            RowAction(
                _("Adjust"),
                "inventory.adjust_stock",
                lambda level: reverse("inventory:stock_adjust") + _stock_query(level),
                icon="sliders",
            ),
            RowAction(
                _("Bin and safety stock"),
                "inventory.adjust_stock",
                lambda level: reverse("inventory:stock_level_edit", args=[level.pk]),
                icon="pencil",
            ),
        ]
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
            "average_cost",
        )
        empty_text = _("No stock matches these filters.")
        row_attrs = {
            "class": lambda record: (
                "table-warning" if record.available < record.safety_stock else ""
            )
        }


class LowStockTable(StockLevelTable):
    shortfall = QuantityColumn(verbose_name=_("Shortfall"))

    class Meta(StockLevelTable.Meta):
        fields = (*StockLevelTable.Meta.fields, "shortfall")
        order_by = ("-shortfall",)
        empty_text = _("Nothing is below its safety stock.")


class StockMovementTable(ProductInWarehouseTable):
    created_at = tables.DateTimeColumn(verbose_name=_("Time"), format="SHORT_DATETIME_FORMAT")
    kind = tables.Column()
    quantity = QuantityColumn()
    balance_after = QuantityColumn()
    unit_cost = MoneyColumn()
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
            "unit_cost",
            "reason",
            "reference",
            "note",
            "actor",
        )
        sequence = fields
        empty_text = _("No stock movements match these filters.")

    def render_quantity(self, value):
        css = "text-success" if value > 0 else "text-danger"
        return format_html('<span class="{}">{}</span>', css, signed(value))


class WorkOrderTable(BaseTable):
    number = tables.Column(linkify=True)
    created_at = tables.DateTimeColumn(verbose_name=_("Created"), format="SHORT_DATETIME_FORMAT")
    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"))
    product = tables.Column(accessor="product__name", verbose_name=_("Product"))
    quantity = QuantityColumn()
    warehouse = tables.Column(accessor="warehouse__code", verbose_name=_("Warehouse"))
    reference = ReferenceColumn(verbose_name=_("Order"))
    stage = tables.Column()
    actions = ActionsColumn(
        [
            RowAction(
                _("Next stage"),
                "inventory.advance_work_order",
                lambda work_order: reverse("inventory:work_order_advance", args=[work_order.pk]),
                post=True,
                shown=lambda work_order: work_order.stage not in ("done", "cancelled"),
            )
        ]
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


class TaxClassTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    name_en = tables.Column()
    rate_today = tables.Column(verbose_name=_("Rate today"), orderable=False, empty_values=())
    next_rate = tables.Column(verbose_name=_("Next change"), orderable=False, empty_values=())
    is_active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = TaxClass
        fields = ("code", "name", "name_en", "rate_today", "next_rate", "is_active")
        empty_text = _("No tax classes match these filters.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rates: dict[int, Any] | None = None

    def _rate_of(self, record: TaxClass) -> Any:
        if self._rates is None or record.pk not in self._rates:
            from inventory.taxes import current_rates

            self._rates = current_rates(list(self.data.data))
        return self._rates.get(record.pk, (None, None))

    def render_rate_today(self, record):
        rate = self._rate_of(record)[0]
        return "—" if rate is None else percent(rate)

    def value_rate_today(self, record):
        rate = self._rate_of(record)[0]
        return "" if rate is None else str(rate)

    def render_next_rate(self, record):
        upcoming = self._rate_of(record)[1]
        if upcoming is None:
            return "—"
        return _("%(rate)s from %(day)s") % {
            "rate": percent(upcoming[0]),
            "day": date_format(upcoming[1], "SHORT_DATE_FORMAT"),
        }

    def value_next_rate(self, record):
        upcoming = self._rate_of(record)[1]
        return "" if upcoming is None else f"{upcoming[0]} {upcoming[1].isoformat()}"


class TaxRateTable(BaseTable):
    valid_from = DateColumn()
    rate = tables.Column(verbose_name=_("Rate"))
    created_at = DateTimeColumn()

    class Meta(BaseTable.Meta):
        model = TaxRate
        fields = ("valid_from", "rate", "created_at")
        orderable = False

    def render_rate(self, value):
        return percent(value)


def percent(rate: Decimal) -> str:
    """0.1300 → 13 %; 0.0550 → 5.5 %."""
    return f"{(rate * 100).normalize():f} %"


class StockCountStatusColumn(tables.Column):
    def render(self, value, record):
        return status_badge_html(
            "stockcount",
            value,
            record.get_status_display(),
            STOCK_COUNT_STATUS_TONES.get(value, "grey"),
        )

    def value(self, value, record):
        return record.get_status_display()


class StockCountTable(BaseTable):
    number = tables.Column(linkify=True)
    warehouse = tables.Column(accessor="warehouse__code", verbose_name=_("Warehouse"))
    scope = tables.Column(verbose_name=_("Scope"), orderable=False, empty_values=())
    snapshot_at = DateTimeColumn(verbose_name=_("Snapshot taken"))
    status = StockCountStatusColumn()
    line_count = QuantityColumn(verbose_name=_("Lines"))
    counted_count = QuantityColumn(verbose_name=_("Counted"))
    varied_count = QuantityColumn(verbose_name=_("With variance"))
    posted_at = DateTimeColumn(verbose_name=_("Posted"))

    class Meta(BaseTable.Meta):
        model = StockCount
        fields = (
            "number",
            "warehouse",
            "scope",
            "snapshot_at",
            "status",
            "line_count",
            "counted_count",
            "varied_count",
            "posted_at",
        )
        empty_text = _("No stocktakes match these filters.")

    def render_scope(self, record):
        return stock_count_scope(record)

    def value_scope(self, record):
        return stock_count_scope(record)


def stock_count_scope(count: StockCount) -> str:
    """ "All bins", "Bins A-01 to B-99", "Category: cables", or both."""
    parts = []
    if count.bin_from or count.bin_to:
        parts.append(
            str(_("Bins %(start)s to %(end)s"))
            % {"start": count.bin_from or "…", "end": count.bin_to or "…"}
        )
    if count.category_id:
        parts.append(str(_("Category: %(name)s")) % {"name": count.category})
    return " · ".join(parts) or str(_("All bins"))


class ReplenishmentTable(BaseTable):
    """The purchase list: one row per product and warehouse below its reorder point."""

    sku = tables.Column(accessor="product__sku", verbose_name=_("SKU"))
    product = tables.Column(
        accessor="product__name",
        verbose_name=_("Product"),
        linkify=lambda record: record.product.get_absolute_url(),
    )
    warehouse = tables.Column(accessor="warehouse__code", verbose_name=_("Warehouse"))
    available = QuantityColumn(verbose_name=_("Available"))
    reorder_point = QuantityColumn()
    safety_stock = tables.Column(attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    lead_time_days = QuantityColumn(verbose_name=_("Lead time (days)"))
    next_week = tables.Column(
        verbose_name=_("Forecast next week"),
        accessor="forecast",
        orderable=False,
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    pack_size = QuantityColumn(accessor="product__pack_size", verbose_name=_("Pack size"))
    suggested = QuantityColumn(
        verbose_name=_("Suggested order"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta(BaseTable.Meta):
        model = DemandForecast
        fields = (
            "sku",
            "product",
            "warehouse",
            "available",
            "reorder_point",
            "safety_stock",
            "lead_time_days",
            "next_week",
            "pack_size",
            "suggested",
        )
        order_by = ("-shortfall",)
        empty_text = _("Nothing is below its reorder point.")

    def render_suggested(self, record):
        return grouped_number(replenishment_quantity(record))

    def value_suggested(self, record):
        return replenishment_quantity(record)

    def render_next_week(self, value):
        return f"{value[0]:.1f}" if value else "—"

    def value_next_week(self, value):
        return value[0] if value else ""
