"""What inventory adds to the kernel: pages, rights, beat jobs, dashboard, search, demo data."""

from celery.schedules import crontab
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from inventory import selectors
from inventory.imports import StockLevelImporter
from inventory.seeders import seed_inventory
from inventory.stocktake_seeders import seed_forecasts, seed_stocktakes
from inventory.tables import LowStockTable, StockMovementTable
from inventory.work_order_seeders import seed_work_order_boms
from oms.imports import register_importer
from oms.registry import (
    Kpi,
    KpiValue,
    Panel,
    SearchProvider,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_dashboard_panel,
    register_kpi,
    register_nav_item,
    register_search,
    register_seeder,
    register_urls,
)
from oms.roles import ROLES
from oms.tables import compact_table, table_card
from oms.types import AnyUser

register_urls("", "inventory.urls")

VIEW = {"inventory.view_product", "inventory.view_warehouse", "inventory.view_stocklevel"}
STOCK_WORK = {
    "inventory.view_stockmovement",
    "inventory.receive_stock",
    "inventory.adjust_stock",
    "inventory.transfer_stock",
}
EDIT_PRODUCTS = {"inventory.add_product", "inventory.change_product"}
PRICING = {"inventory.change_product_pricing"}  # cost, tax class, made-to-order
EDIT_WAREHOUSES = {"inventory.add_warehouse", "inventory.change_warehouse"}
# Work orders: the warehouse moves them on and keeps their bill of materials; purchasing reads
# them, keeps the bill of materials and confirms the materials (so does a manager).
WORK_ORDER_VIEW = {"inventory.view_workorder"}
BOM_EDIT = WORK_ORDER_VIEW | {"inventory.change_workorder"}
WORK_ORDERS = BOM_EDIT | {"inventory.advance_work_order"}
MATERIALS_CONFIRM = WORK_ORDER_VIEW | {"inventory.confirm_work_order_materials"}
LEDGER = {"inventory.view_stockmovement"}
# Stocktakes: the warehouse opens, counts and cancels; posting the variances to the ledger is
# a manager's (whoever counted does not also approve the write-off). Finance reads them.
COUNT_VIEW = {"inventory.view_stockcount"}
COUNT_WORK = COUNT_VIEW | {"inventory.add_stockcount", "inventory.change_stockcount"}
# Forecasts and the replenishment page: who buys stock in and finance.
FORECAST_VIEW = {"inventory.view_demandforecast"}
FORECAST_WORK = FORECAST_VIEW | {"inventory.change_demandforecast"}
COUNT_POST = COUNT_VIEW | {"inventory.post_stockcount", "inventory.change_stockcount"}

TAX_VIEW = {"inventory.view_taxclass"}
TAX_EDIT = {"inventory.add_taxclass", "inventory.change_taxclass", "inventory.add_taxrate"}

grant_many({role: VIEW for role in ROLES})
# Tax classes and rates are finance's; whoever prices orders may read them.
grant_many({role: TAX_VIEW for role in ("admin", "manager", "sales", "finance")})
grant_many({role: TAX_EDIT for role in ("admin", "finance")})
grant_many(
    {
        "admin": STOCK_WORK
        | EDIT_PRODUCTS
        | PRICING
        | EDIT_WAREHOUSES
        | WORK_ORDERS
        | MATERIALS_CONFIRM
        | COUNT_WORK
        | COUNT_POST
        | FORECAST_WORK,
        "manager": LEDGER
        | EDIT_PRODUCTS
        | PRICING
        | EDIT_WAREHOUSES
        | WORK_ORDERS
        | MATERIALS_CONFIRM
        | COUNT_POST
        | FORECAST_WORK,
        "purchasing": LEDGER | BOM_EDIT | MATERIALS_CONFIRM | FORECAST_WORK,
        "warehouse": STOCK_WORK | EDIT_PRODUCTS | WORK_ORDERS | COUNT_WORK | FORECAST_WORK,
        "finance": LEDGER | COUNT_VIEW | FORECAST_VIEW,
    }
)

for order, (label, url_name, permission, icon) in enumerate(
    [
        (_("Stock levels"), "inventory:stock_list", "inventory.view_stocklevel", "boxes"),
        (
            _("Low stock"),
            "inventory:low_stock",
            "inventory.view_stocklevel",
            "exclamation-triangle",
        ),
        (
            _("Stock ledger"),
            "inventory:movement_list",
            "inventory.view_stockmovement",
            "journal-text",
        ),
        (
            _("Receive stock"),
            "inventory:stock_receive",
            "inventory.receive_stock",
            "box-arrow-in-down",
        ),
        (
            _("Transfer stock"),
            "inventory:stock_transfer",
            "inventory.transfer_stock",
            "arrow-left-right",
        ),
        (
            _("Replenishment"),
            "inventory:replenishment",
            "inventory.view_demandforecast",
            "cart-plus",
        ),
        (
            _("Stocktakes"),
            "inventory:stocktake_list",
            "inventory.view_stockcount",
            "clipboard-check",
        ),
        (_("Work orders"), "inventory:work_order_list", "inventory.view_workorder", "tools"),
        (_("Products"), "inventory:product_list", "inventory.view_product", "tag"),
        (_("Warehouses"), "inventory:warehouse_list", "inventory.view_warehouse", "building"),
    ],
    start=1,
):
    register_nav_item("warehouse", label, url_name, permission, icon, order=order * 10)

register_nav_item(
    "finance",
    _("Tax classes"),
    "inventory:tax_class_list",
    "inventory.view_taxclass",
    "percent",
    order=90,
)

register_audited_model("inventory.product", _("Product"), money=("standard_cost",))
register_audited_model("inventory.taxclass", _("Tax class"))
register_audited_model("inventory.warehouse", _("Warehouse"))
register_audited_model("inventory.stocklevel", _("Stock level"))
register_audited_model("inventory.workorder", _("Work order"))
register_audited_model("inventory.stockcount", _("Stocktake"))
register_audit_actions(
    {
        "product.create": _("Product created"),
        "product.update": _("Product changed"),
        "warehouse.create": _("Warehouse created"),
        "warehouse.update": _("Warehouse changed"),
        "stock_level.update": _("Bin or safety stock changed"),
        "work_order.advance": _("Work order moved on"),
        "work_order.cancel": _("Work order cancelled"),
        "work_order.bom": _("Bill of materials changed"),
        "product.bom": _("Default bill of materials changed"),
        "work_order.materials_confirmed": _("Work order materials confirmed"),
        "work_order.file": _("Drawing or specification added to a work order"),
        "stocktake.open": _("Stocktake opened"),
        "stocktake.count": _("Stocktake counts entered"),
        "stocktake.post": _("Stocktake posted to the ledger"),
        "stocktake.cancel": _("Stocktake cancelled"),
        "tax_class.create": _("Tax class created"),
        "tax_class.update": _("Tax class changed"),
        "tax_rate.create": _("Tax rate added"),
    }
)

register_beat_job(
    "low-stock-digest",
    "inventory.tasks.send_low_stock_digest",
    crontab(hour=7, minute=0),
    expires=3600,
)
register_beat_job(
    "demand-forecasts",
    "inventory.tasks.refresh_forecasts",
    crontab(hour=3, minute=15),
    expires=3600,
)
register_beat_job(
    "stock-ledger-check",
    "inventory.tasks.check_stock_ledger",
    crontab(hour=2, minute=30),
    expires=3600,
)


def _below_safety_stock(user: AnyUser) -> KpiValue:
    count = selectors.low_stock().count()
    return KpiValue(
        _("Below safety stock"), count, url=reverse("inventory:low_stock"), warn=count > 0
    )


def _stock_value(user: AnyUser) -> KpiValue:
    totals = selectors.stock_value()
    return KpiValue(
        _("Stock value at standard cost"),
        totals["value"],
        money=True,
        url=reverse("inventory:stock_list"),
        detail=_("%(units)s units on hand")
        % {"units": number_format(totals["units"], force_grouping=True)},
    )


register_kpi(
    Kpi(
        "active-products",
        "inventory.view_stocklevel",
        lambda user: KpiValue(
            _("Active products"),
            selectors.active_product_count(),
            url=reverse("inventory:product_list") + "?is_active=true",
        ),
        order=20,
    )
)
register_kpi(Kpi("below-safety-stock", "inventory.view_stocklevel", _below_safety_stock, order=30))
register_kpi(Kpi("stock-value", "inventory.view_stocklevel", _stock_value, order=40))

register_dashboard_panel(
    Panel(
        "lowest-stock",
        "oms/panels/table.html",
        "inventory.view_stocklevel",
        lambda request, obj: table_card(
            _("Lowest stock"),
            compact_table(
                LowStockTable,
                selectors.low_stock().order_by("-shortfall")[:8],
                columns=("sku", "product", "warehouse", "available", "safety_stock"),
            ),
            reverse("inventory:low_stock"),
        ),
        width="col-xl-6",
        order=30,
    )
)
register_dashboard_panel(
    Panel(
        "latest-movements",
        "oms/panels/table.html",
        "inventory.view_stockmovement",
        lambda request, obj: table_card(
            _("Latest stock movements"),
            compact_table(
                StockMovementTable,
                selectors.movement_list()[:8],
                columns=("created_at", "kind", "sku", "warehouse", "quantity"),
            ),
            reverse("inventory:movement_list"),
        ),
        width="col-xl-6",
        order=40,
    )
)

register_search(
    SearchProvider(
        _("Products"),
        "inventory.view_product",
        lambda user, query: selectors.product_search(query),
        order=30,
    )
)

register_seeder(Seeder("inventory", seed_inventory, depends_on=("users",)))
# After the shipping history, so the counts snapshot the stock that history left.
register_seeder(Seeder("stocktakes", seed_stocktakes, depends_on=("shipping",)))
register_seeder(Seeder("forecasts", seed_forecasts, depends_on=("shipping",)))
# After the stocktakes, so their snapshots are not disturbed by the parts bought in.
register_seeder(Seeder("work-order-boms", seed_work_order_boms, depends_on=("stocktakes",)))

register_importer(StockLevelImporter())
