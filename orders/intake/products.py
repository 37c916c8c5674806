"""The products import (oms.imports): one product per row, by SKU, with its price in the default
price list (the active list of retail customers) and its tax class found by rate (a class made
for a rate no class has: the check says so). It lives in orders because price lists do."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.choices import CustomerGroup
from inventory.models import Product
from inventory.services import product_save
from inventory.taxes import tax_class_for_rate
from oms.choices import ImportAction
from oms.imports import (
    ImportColumn,
    ImportContext,
    Importer,
    ImportRow,
    RowError,
    RowResult,
    decimal_value,
    percentage,
)
from orders.models import PriceList, PriceListItem
from orders.services.rules import Break, price_list_prices_set

DEFAULT_GROUP = CustomerGroup.RETAIL


def default_price_list() -> PriceList | None:
    return PriceList.objects.filter(customer_group=DEFAULT_GROUP, is_active=True).first()


class ProductImporter(Importer):
    code = "products"
    label = gettext_lazy("Products and prices")
    permission = "orders.change_pricelist"
    help_text = gettext_lazy(
        "One product per row, by SKU (a SKU that exists updates the product). unit_price "
        "becomes its price in the active retail price list; tax_rate is a percentage (13 means "
        "13 %) and picks the tax class with that rate; a rate no class has makes a new class."
    )
    columns = (
        ImportColumn("sku", "SKU", required=True, example="LED-A60-9W", aliases=("货号",)),
        ImportColumn("name", "商品名称", required=True, example="LED 球泡灯 9W 暖白"),
        ImportColumn("name_en", "英文名称", example="LED bulb 9W warm white"),
        ImportColumn("unit_price", "单价", example="19.90"),
        ImportColumn("tax_rate", "税率", example="13"),
        ImportColumn("weight_kg", "重量(kg)", example="0.085", aliases=("重量",)),
    )

    def field_column(self, name: str) -> str:
        return {"tax_class": "tax_rate", "breaks": "unit_price", "rate": "tax_rate"}.get(
            name, super().field_column(name)
        )

    def import_item(self, rows: list[ImportRow], context: ImportContext) -> list[RowResult]:
        [row] = rows
        sku = row.get("sku").upper()
        if not sku:
            raise RowError("sku", _("Enter a SKU."))
        seen = context.cache.setdefault("skus", {})
        if sku in seen:
            message = _("The same SKU is on row %(row)s already.") % {"row": seen[sku]}
            return [RowResult(row.number, ImportAction.SKIP, "sku", message, sku)]
        seen[sku] = row.number
        price = decimal_value(row, "unit_price", places=2, required=False)
        if price is not None and price < 0:
            raise RowError("unit_price", _("A price cannot be negative."))
        rate = percentage(row, "tax_rate")
        weight = decimal_value(row, "weight_kg", places=3, required=False)
        if weight is not None and weight < 0:
            raise RowError("weight_kg", _("A weight cannot be negative."))
        notes: list[str] = []
        data: dict[str, Any] = {"sku": sku}
        for name in ("name", "name_en"):
            if row.get(name):
                data[name] = row.get(name)
        if weight is not None:
            data["weight_kg"] = weight
        if rate is not None:
            tax_class, made = tax_class_for_rate(actor=context.actor, rate=rate)
            data["tax_class"] = tax_class
            if made:
                notes.append(
                    _("New tax class %(code)s for %(rate)s %%.")
                    % {"code": tax_class.code, "rate": format((rate * 100).normalize(), "f")}
                )
        product = Product.objects.select_for_update().filter(sku=sku).first()
        created = product is None
        changed = created or any(getattr(product, k) != v for k, v in data.items() if k != "sku")
        if changed:
            product = product_save(actor=context.actor, product=product, data=data)
        assert product is not None
        if price is not None:
            changed = self._set_price(product, price, context) or changed
        if not changed:
            message = _("Unchanged: imported before.")
            return [RowResult(row.number, ImportAction.SKIP, "", message, sku)]
        action = ImportAction.CREATE if created else ImportAction.UPDATE
        return [RowResult(row.number, action, "", " ".join(notes), product.sku)]

    def _set_price(self, product: Product, price: Decimal, context: ImportContext) -> bool:
        price_list = context.cache.get("price_list") or default_price_list()
        if price_list is None:
            raise RowError(
                "unit_price",
                _("There is no active price list for retail customers: make one first."),
            )
        context.cache["price_list"] = price_list
        breaks = dict(
            PriceListItem.objects.filter(price_list=price_list, product=product).values_list(
                "min_quantity", "unit_price"
            )
        )
        if breaks.get(1) == price:
            return False
        breaks[1] = price
        price_list_prices_set(
            actor=context.actor,
            price_list=price_list,
            sku=product.sku,
            breaks=[Break(q, p) for q, p in sorted(breaks.items())],
        )
        return True
