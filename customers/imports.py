"""The customers import (oms.imports): one customer per row, by its code; a code known
already updates the customer and its default shipping address."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.services import customer_import
from oms.choices import ImportAction
from oms.imports import ImportColumn, ImportContext, Importer, ImportRow, RowError, RowResult
from oms.regions import region_from_text


class CustomerImporter(Importer):
    code = "customers"
    label = gettext_lazy("Customers")
    permission = "customers.add_customer"
    help_text = gettext_lazy(
        "One customer per row. A code that exists already updates that customer and its "
        "default shipping address. Region: the province code (GD), or its Chinese or English "
        "name (广东, Guangdong)."
    )
    columns = (
        ImportColumn("code", "客户编码", required=True, example="C-1001"),
        ImportColumn("name", "客户名称", required=True, example="上海星光灯饰有限公司"),
        ImportColumn("phone", "电话", required=True, example="13800138000"),
        ImportColumn("email", "邮箱", example="buyer@example.com"),
        ImportColumn("region", "省份", required=True, example="上海"),
        ImportColumn("city", "城市", required=True, example="上海市"),
        ImportColumn("district", "区县", example="浦东新区"),
        ImportColumn("street", "详细地址", required=True, example="张江路 88 号"),
        ImportColumn("postal_code", "邮编", example="201203"),
        ImportColumn("contact_person", "联系人", example="王丽"),
    )
    ADDRESS_COLUMNS = {"city", "district", "street", "postal_code"}

    def field_column(self, name: str) -> str:
        return {"recipient": "contact_person"}.get(name, super().field_column(name))

    def import_item(self, rows: list[ImportRow], context: ImportContext) -> list[RowResult]:
        [row] = rows
        code = row.get("code").upper()
        if not code:
            raise RowError("code", _("Enter the customer's code."))
        seen = context.cache.setdefault("codes", {})
        if code in seen:
            return [
                RowResult(
                    row.number,
                    ImportAction.SKIP,
                    "code",
                    _("The same code is on row %(row)s already.") % {"row": seen[code]},
                    code,
                )
            ]
        seen[code] = row.number
        region = region_from_text(row.get("region"))
        if region is None:
            raise RowError(
                "region",
                _("“%(text)s” is not a province: write its code (GD) or its name (广东).")
                % {"text": row.get("region")[:40]},
            )
        data = {
            "code": code,
            "name": row.get("name"),
            "phone": row.get("phone"),
            "email": row.get("email"),
            "region": region,
        }
        if row.get("contact_person"):
            data["contact_person"] = row.get("contact_person")
        address = {name: row.get(name) for name in self.ADDRESS_COLUMNS}
        address |= {
            "region": region,
            "phone": row.get("phone"),
            "recipient": row.get("contact_person") or row.get("name"),
        }
        customer, outcome = customer_import(actor=context.actor, data=data, address=address)
        if outcome == "unchanged":
            return [
                RowResult(row.number, ImportAction.SKIP, "", _("Unchanged: imported before."), code)
            ]
        action = ImportAction.CREATE if outcome == "create" else ImportAction.UPDATE
        return [RowResult(row.number, action, "", "", customer.code)]
