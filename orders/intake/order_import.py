"""The orders import (oms.imports): one row per order line; the rows with the same external_id
make one order, placed with order_place's checks and pricing like every other intake, 200
orders at a time with one INSERT per table (orders.services.batch_place), priced as sent (the
file's unit prices, discounts and tax rates, rounded by OMS_ROUNDING, never re-priced from the
price list). Idempotent by (channel, external id): a file imported again
creates nothing and reports its orders as duplicates."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Address, Customer
from inventory.models import Product
from oms.choices import ImportAction
from oms.imports import (
    ImportColumn,
    ImportContext,
    Importer,
    ImportRow,
    RowError,
    RowResult,
    date_value,
    decimal_value,
    percentage,
    refused_item,
    whole_number,
    yes_no,
)
from oms.regions import region_from_text
from orders.choices import ChannelCode, ChannelKind
from orders.intake.models import Channel
from orders.models import Order
from orders.services import LineRequest, order_place
from orders.services.batch_place import PlaceRequest, order_place_batch

SHIP_COLUMNS = {
    "ship_recipient": "recipient",
    "ship_phone": "phone",
    "ship_region": "region",
    "ship_city": "city",
    "ship_district": "district",
    "ship_street": "street",
    "ship_postal_code": "postal_code",
}
SHIP_FIELDS = {field: column for column, field in SHIP_COLUMNS.items()}
# Columns that belong to the order: its rows must agree on them.
ORDER_COLUMNS = ("customer", "channel", "order_date", "prices_include_tax", *SHIP_COLUMNS)


class OrderImporter(Importer):
    code = "orders"
    label = gettext_lazy("Orders")
    permission = "orders.add_order"
    group_by = "external_id"
    help_text = gettext_lazy(
        "One row per order line; the rows with the same external_id make one order. Prices, "
        "discounts and tax rates are kept as in the file (percentages: 7.5 means 7.5 %). "
        "channel: a channel's code (default: import); prices_include_tax: true or false "
        "(default: the channel's setting); ship_* columns: the delivery address (default: "
        "the customer's). An external id the channel has already is skipped."
    )
    columns = (
        ImportColumn("external_id", "外部单号", required=True, example="TB-20261130-0001"),
        ImportColumn("customer", "客户编码", required=True, example="C-1001"),
        ImportColumn("sku", "SKU", required=True, example="LED-A60-9W", aliases=("货号",)),
        ImportColumn("quantity", "数量", required=True, example="12"),
        ImportColumn("unit_price", "单价", required=True, example="19.90"),
        ImportColumn("discount_percent", "折扣(%)", example="7", aliases=("折扣",)),
        ImportColumn("tax_rate", "税率", required=True, example="13"),
        ImportColumn("channel", "渠道", example="import"),
        ImportColumn("order_date", "下单日期", example="2026-11-30"),
        ImportColumn("prices_include_tax", "含税价", example="true", aliases=("含税",)),
        ImportColumn("shipping_fee", "运费", example="0"),
        ImportColumn("ship_recipient", "收货人", example="王丽"),
        ImportColumn("ship_phone", "收货电话", example="13800138000"),
        ImportColumn("ship_region", "收货省份", example="上海"),
        ImportColumn("ship_city", "收货城市", example="上海市"),
        ImportColumn("ship_district", "收货区县", example="浦东新区"),
        ImportColumn("ship_street", "收货地址", example="张江路 88 号"),
        ImportColumn("ship_postal_code", "收货邮编", example="201203"),
        ImportColumn("notes", "备注", example=""),
    )

    def field_column(self, name: str) -> str:
        mapped = {"shipping_address": "ship_street", "product": "sku"}
        return mapped.get(name) or SHIP_FIELDS.get(name) or super().field_column(name)

    def import_batch(self, items: list[list[ImportRow]], context: ImportContext) -> list[RowResult]:
        """The batch's orders through order_place_batch (one INSERT per table); when the
        database refuses the batch (a reference another import committed a moment before),
        each order on its own (import_item)."""
        results: list[RowResult] = []
        customers = self._customers(items)
        requests: list[PlaceRequest] = []
        placing: list[list[ImportRow]] = []
        for rows in items:
            try:
                requests.append(self._request(rows, context, customers))
            except RowError as exc:
                results += refused_item(self, rows, exc)
                continue
            placing.append(rows)
        try:
            with transaction.atomic():
                placed = order_place_batch(actor=context.actor, requests=requests)
        except (IntegrityError, DataError):
            return super().import_batch(items, context)
        for rows, result in zip(placing, placed, strict=True):
            if result.error is not None:
                results += refused_item(self, rows, self._at_row(result.error, rows))
            else:
                assert result.order is not None
                results += self._placed(rows, result.order, result.created)
        results.sort(key=lambda result: result.row)
        return results

    def import_item(self, rows: list[ImportRow], context: ImportContext) -> list[RowResult]:
        """One order through order_place (the batch's fallback)."""
        request = self._request(rows, context, self._customers([rows]))
        header = request.header
        existing = Order.objects.filter(
            channel_id=header["channel"], external_reference=header["external_reference"]
        ).first()
        if existing is not None:
            return self._placed(rows, existing, created=False)
        try:
            order = order_place(
                actor=context.actor, customer=request.customer, lines=request.lines, **header
            )
        except ValidationError as exc:
            raise self._at_row(exc, rows) from None
        if request.placed_at is not None:
            Order.objects.filter(pk=order.pk).update(created_at=request.placed_at)
        return self._placed(rows, order, created=True)

    def _placed(self, rows: list[ImportRow], order: Order, created: bool) -> list[RowResult]:
        if created:
            return [RowResult(r.number, ImportAction.CREATE, "", "", order.number) for r in rows]
        message = _("Imported before: order %(number)s.") % {"number": order.number}
        return [
            RowResult(r.number, ImportAction.SKIP, "external_id", message, order.number)
            for r in rows
        ]

    def _customers(self, items: list[list[ImportRow]]) -> dict[str, Customer]:
        """The customers the items name, read at once."""
        codes = {rows[0].get("customer").upper() for rows in items} - {""}
        return {customer.code: customer for customer in Customer.objects.filter(code__in=codes)}

    def _request(
        self, rows: list[ImportRow], context: ImportContext, customers: dict[str, Customer]
    ) -> PlaceRequest:
        """The order the rows describe, checked as far as a file's columns go (order_place
        checks the rest); RowError when the rows cannot make an order."""
        first = rows[0]
        external_id = first.get("external_id")
        if not external_id:
            raise RowError("external_id", _("Enter the order's external id."), row=first.number)
        if len(external_id) > 64:
            raise RowError("external_id", _("At most 64 characters."), row=first.number)
        for column in ORDER_COLUMNS:
            for row in rows[1:]:
                if row.get(column) and row.get(column) != first.get(column):
                    raise RowError(
                        column,
                        _("The rows of order %(id)s differ in this column (row %(row)s).")
                        % {"id": external_id, "row": first.number},
                        row=row.number,
                    )
        channel = self._channel(first, context)
        code = first.get("customer").upper()
        customer = customers.get(code)
        if customer is None:
            raise RowError(
                "customer",
                _("There is no customer %(code)s.") % {"code": code or "—"},
                row=first.number,
            )
        lines = [self._line(row, context) for row in rows]
        order_date = date_value(first, "order_date")
        today = timezone.localdate()
        if order_date is not None and order_date > today:
            raise RowError("order_date", _("The order date is in the future."), row=first.number)
        fee = decimal_value(first, "shipping_fee", places=2, required=False)
        if fee is not None and fee < 0:
            raise RowError("shipping_fee", _("A price cannot be negative."), row=first.number)
        header: dict[str, Any] = {
            "channel": channel.code,
            "external_reference": external_id,
            "notes": "\n".join(dict.fromkeys(r.get("notes") for r in rows if r.get("notes"))),
            "prices_include_tax": yes_no(first, "prices_include_tax"),
            "shipping_fee": fee,
        }
        address = self._address(first, customer)
        if address is not None:
            header["shipping_address"] = address
        # An order taken from another system keeps the day it was placed there (noon that
        # day), so analytics count it on its day.
        placed_at = None
        if order_date is not None and order_date < today:
            placed_at = timezone.make_aware(
                datetime.datetime.combine(order_date, datetime.time(12))
            )
        return PlaceRequest(customer, lines, header, placed_at)

    def _channel(self, row: ImportRow, context: ImportContext) -> Channel:
        code = row.get("channel") or ChannelCode.IMPORT
        channels = context.cache.setdefault("channels", {})
        if code not in channels:
            channels[code] = Channel.objects.filter(code=code, is_active=True).first()
        channel = channels[code]
        if channel is None:
            raise RowError(
                "channel",
                _("There is no active channel %(code)s.") % {"code": code[:40]},
                row=row.number,
            )
        if channel.kind == ChannelKind.BACK_OFFICE:
            raise RowError(
                "channel",
                _("Orders of the back office are entered on its page, not imported."),
                row=row.number,
            )
        return channel

    def _line(self, row: ImportRow, context: ImportContext) -> LineRequest:
        sku = row.get("sku").upper()
        products = context.cache.setdefault("products", {})
        if sku not in products:
            products[sku] = Product.objects.filter(sku=sku).first() if sku else None
        product = products[sku]
        try:
            if product is None:
                raise RowError("sku", _("No product has the SKU %(sku)s.") % {"sku": sku or "—"})
            quantity = whole_number(row, "quantity", minimum=1)
            unit_price = decimal_value(row, "unit_price", places=2)
            assert unit_price is not None
            if unit_price < 0:
                raise RowError("unit_price", _("A price cannot be negative."))
            discount = decimal_value(row, "discount_percent", places=2, required=False)
            if discount is not None and not Decimal(0) <= discount <= Decimal(100):
                raise RowError("discount_percent", _("Enter a percentage from 0 up to 100."))
            rate = percentage(row, "tax_rate", required=True)
        except RowError as exc:
            exc.row = row.number
            raise
        return LineRequest(
            product,
            quantity,
            discount or Decimal(0),
            unit_price=unit_price,
            tax_rate=rate,
        )

    def _address(self, row: ImportRow, customer: Customer) -> Address | None:
        """The ship_* columns as the order's delivery address (kept on the order only, not
        added to the customer); None when the file gives none."""
        if not any(row.get(column) for column in SHIP_COLUMNS):
            return None
        region = region_from_text(row.get("ship_region")) if row.get("ship_region") else None
        if region is None:
            raise RowError(
                "ship_region",
                _("“%(text)s” is not a province: write its code (GD) or its name (广东).")
                % {"text": row.get("ship_region")[:40]},
                row=row.number,
            )
        address = Address(
            customer=customer,
            recipient=row.get("ship_recipient") or customer.name[:100],
            phone=row.get("ship_phone") or customer.phone,
            region=region,
            city=row.get("ship_city"),
            district=row.get("ship_district"),
            street=row.get("ship_street"),
            postal_code=row.get("ship_postal_code"),
        )
        try:
            address.full_clean(exclude=["customer"])
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            raise RowError(SHIP_FIELDS.get(name, ""), " ".join(messages), row=row.number) from None
        return address

    def _at_row(self, error: ValidationError, rows: list[ImportRow]) -> RowError:
        """A refusal of order_place as a RowError: a line's problem on the line's row."""
        if hasattr(error, "error_dict"):
            name, errors = next(iter(error.error_dict.items()))
            message = " ".join(str(m) for m in ValidationError(errors))
        else:
            name, message = "", " ".join(error.messages)
        row = rows[0].number
        for candidate in rows:
            sku = candidate.get("sku").upper()
            if sku and sku in message:
                row = candidate.number
                break
        return RowError(self.field_column(name), message, row=row)
