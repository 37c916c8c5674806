"""Tables of the statements finance imports: carriers' COD remittances and bank statements."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from billing.models import BankStatement, BankStatementLine, CodRemittance, CodRemittanceLine
from oms.tables import BaseTable, DateColumn, MoneyColumn


class CodRemittanceTable(BaseTable):
    id = tables.Column(verbose_name=_("Import"), linkify=True)
    carrier = tables.Column(accessor="carrier__name", verbose_name=_("Carrier"))
    file_name = tables.Column()
    created_at = DateColumn(verbose_name=_("Imported"))
    rows = tables.Column()
    recorded = tables.Column()
    total_collected = MoneyColumn()
    total_fees = MoneyColumn()
    imported_by = tables.Column(accessor="imported_by__username", verbose_name=_("By"))

    class Meta(BaseTable.Meta):
        model = CodRemittance
        fields = (
            "id",
            "carrier",
            "file_name",
            "created_at",
            "rows",
            "recorded",
            "total_collected",
            "total_fees",
            "imported_by",
        )
        empty_text = _("No COD remittance statement was imported yet.")


NOWRAP = {"td": {"class": "text-nowrap"}}


class CodRemittanceLineTable(BaseTable):
    line_no = tables.Column()
    tracking_number = tables.Column(attrs=NOWRAP)
    shipment = tables.Column(
        attrs=NOWRAP,
        accessor="shipment__number",
        verbose_name=_("Shipment"),
        linkify=lambda record: record.shipment.get_absolute_url() if record.shipment else None,
    )
    collected = MoneyColumn()
    fee = MoneyColumn()
    remitted_on = DateColumn(attrs=NOWRAP)
    outcome = tables.Column()
    payment = tables.Column(
        attrs=NOWRAP,
        accessor="payment__number",
        verbose_name=_("Payment"),
        linkify=lambda record: record.payment.get_absolute_url() if record.payment else None,
    )
    note = tables.Column()

    class Meta(BaseTable.Meta):
        model = CodRemittanceLine
        fields = (
            "line_no",
            "tracking_number",
            "shipment",
            "collected",
            "fee",
            "remitted_on",
            "outcome",
            "payment",
            "note",
        )
        row_attrs = {
            "class": lambda record: "" if record.payment_id else "table-warning",
        }


class BankStatementTable(BaseTable):
    id = tables.Column(verbose_name=_("Import"), linkify=True)
    file_name = tables.Column()
    created_at = DateColumn(verbose_name=_("Imported"))
    rows = tables.Column()
    open_lines = tables.Column(verbose_name=_("To match"), orderable=False)
    imported_by = tables.Column(accessor="imported_by__username", verbose_name=_("By"))

    class Meta(BaseTable.Meta):
        model = BankStatement
        fields = ("id", "file_name", "created_at", "rows", "open_lines", "imported_by")
        empty_text = _("No bank statement was imported yet.")


class BankStatementLineTable(BaseTable):
    line_no = tables.Column()
    booked_on = DateColumn()
    amount = MoneyColumn()
    payer = tables.Column()
    reference = tables.Column()
    status = tables.Column()
    suggestion = tables.TemplateColumn(
        template_name="billing/bank_line_match.html",
        verbose_name=_("Match"),
        orderable=False,
        empty_values=(),
    )

    class Meta(BaseTable.Meta):
        model = BankStatementLine
        fields = ("line_no", "booked_on", "amount", "payer", "reference", "status", "suggestion")

    def value_suggestion(self, record):
        if record.payment_id:
            return record.payment.number
        return record.suggested_invoice.number if record.suggested_invoice else ""
