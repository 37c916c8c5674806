"""The stock levels import (oms.imports): opening balances and counts. Each row is the
quantity counted of a product in a warehouse; the difference to what the books say is
written through the ledger as a stocktake correction (inventory.services.stock_adjust), never
into on_hand directly, so the ledger explains every unit."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.choices import AdjustmentReason
from inventory.models import Product, StockLevel, Warehouse
from inventory.services import stock_adjust
from oms.choices import ImportAction
from oms.imports import (
    ImportColumn,
    ImportContext,
    Importer,
    ImportRow,
    RowError,
    RowResult,
    whole_number,
)

REFERENCE = "IMPORT"


class StockLevelImporter(Importer):
    code = "stock"
    label = gettext_lazy("Stock levels (opening balances and counts)")
    permission = "inventory.adjust_stock"
    help_text = gettext_lazy(
        "One row per product and warehouse: the quantity counted. The difference to the "
        "books is written to the ledger as a stocktake correction; a quantity that matches "
        "the books is skipped."
    )
    columns = (
        ImportColumn("sku", "SKU", required=True, example="LED-A60-9W", aliases=("货号",)),
        ImportColumn("warehouse", "仓库", required=True, example="SH1", aliases=("仓库编码",)),
        ImportColumn("quantity", "数量", required=True, example="120", aliases=("盘点数量",)),
        ImportColumn("note", "备注", example="2026 opening balance"),
    )

    def import_item(self, rows: list[ImportRow], context: ImportContext) -> list[RowResult]:
        [row] = rows
        sku = row.get("sku").upper()
        product = Product.objects.filter(sku=sku).first() if sku else None
        if product is None:
            raise RowError("sku", _("No product has the SKU %(sku)s.") % {"sku": sku or "—"})
        code = row.get("warehouse").upper()
        warehouse = Warehouse.objects.filter(code=code).first() if code else None
        if warehouse is None:
            raise RowError(
                "warehouse", _("There is no warehouse %(code)s.") % {"code": code or "—"}
            )
        key = (product.pk, warehouse.pk)
        seen = context.cache.setdefault("pairs", {})
        if key in seen:
            message = _("The same product and warehouse are on row %(row)s already.") % {
                "row": seen[key]
            }
            return [RowResult(row.number, ImportAction.SKIP, "sku", message, sku)]
        seen[key] = row.number
        counted = whole_number(row, "quantity", minimum=0)
        level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
        on_hand = level.on_hand if level else 0
        if counted == on_hand:
            message = _("Matches the books: %(quantity)s.") % {"quantity": counted}
            return [RowResult(row.number, ImportAction.SKIP, "quantity", message, sku)]
        stock_adjust(
            actor=context.actor,
            product=product,
            warehouse=warehouse,
            quantity=counted - on_hand,
            reason=AdjustmentReason.COUNT,
            note=row.get("note")[:200],
            reference=REFERENCE,
        )
        message = _("%(before)s → %(after)s") % {"before": on_hand, "after": counted}
        action = ImportAction.CREATE if level is None else ImportAction.UPDATE
        return [RowResult(row.number, action, "", message, f"{sku} @ {warehouse.code}")]
