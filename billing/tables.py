import django_tables2 as tables
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from billing.templatetags.billing import invoice_status_badge, rate_percent
from oms.tables import BaseTable, DateColumn, FooterCell, MoneyColumn, QuantityColumn, format_money
from orders.tables import page_total


class InvoiceTable(BaseTable):
    number = tables.Column(linkify=True, attrs={"td": {"class": "text-nowrap"}}, empty_values=())
    order = tables.Column(
        accessor="order__number",
        verbose_name=_("Order"),
        linkify=lambda record: record.order.get_absolute_url(),
    )
    customer = tables.Column(
        accessor="customer__name",
        verbose_name=_("Customer"),
        order_by=("customer__name",),
        footer=_("Page total"),
    )
    issue_date = DateColumn(verbose_name=_("Date"))
    due_date = DateColumn(verbose_name=_("Due"))
    total = MoneyColumn(footer=page_total)
    amount_credited = MoneyColumn(verbose_name=_("Credited"))
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Invoice
        fields = (
            "number",
            "order",
            "customer",
            "issue_date",
            "due_date",
            "total",
            "amount_credited",
            "status",
        )
        empty_text = _("No invoices match these filters.")

    export_values = {
        "customer": Concat("customer__name", Value(" ("), "customer__code", Value(")"))
    }

    def render_number(self, value, record):
        return value or _("(held)")

    def value_number(self, value):
        return value or ""

    def render_status(self, value, record):
        return invoice_status_badge(record.status)


class CreditNoteTable(BaseTable):
    number = tables.Column(linkify=True, attrs={"td": {"class": "text-nowrap"}})
    invoice = tables.Column(
        accessor="invoice__number",
        verbose_name=_("Invoice"),
        linkify=lambda record: record.invoice.get_absolute_url(),
    )
    order = tables.Column(
        accessor="order__number",
        verbose_name=_("Order"),
        linkify=lambda record: record.order.get_absolute_url(),
    )
    customer = tables.Column(
        accessor="customer__name", verbose_name=_("Customer"), footer=_("Page total")
    )
    issue_date = DateColumn(verbose_name=_("Date"))
    reason = tables.Column()
    total = MoneyColumn(footer=page_total)

    class Meta(BaseTable.Meta):
        model = CreditNote
        fields = ("number", "invoice", "order", "customer", "issue_date", "reason", "total")
        empty_text = _("No credit notes match these filters.")


class DocumentLineTable(BaseTable):
    """An invoice's or credit note's lines, with the document's totals under them."""

    position = tables.Column(verbose_name=_("Line"))
    sku = tables.Column(verbose_name=_("SKU"))
    description = tables.Column(verbose_name=_("Description"))
    quantity = QuantityColumn(verbose_name=_("Quantity"))
    unit_price = MoneyColumn(verbose_name=_("Unit price"))
    discount = MoneyColumn(verbose_name=_("Discount"))
    tax_rate = tables.Column(
        verbose_name=_("Tax rate"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    net_amount = MoneyColumn(verbose_name=_("Net"))
    tax_amount = MoneyColumn(verbose_name=_("Tax"))
    total = MoneyColumn(verbose_name=_("Total"))

    class Meta(BaseTable.Meta):
        model = InvoiceLine
        fields = (
            "position",
            "sku",
            "description",
            "quantity",
            "unit_price",
            "discount",
            "tax_rate",
            "net_amount",
            "tax_amount",
            "total",
        )
        orderable = False

    def __init__(self, *args, document=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.document = document

    def render_tax_rate(self, value):
        return rate_percent(value)

    def summary_footer(self):
        if self.document is None:
            return []
        doc = self.document
        if doc.shipping_tax:
            # The shipping's tax is in the tax column with the lines'.
            label = _("Total, with shipping %(fee)s and its tax %(tax)s") % {
                "fee": format_money(doc.shipping_fee),
                "tax": format_money(doc.shipping_tax),
            }
        elif doc.shipping_fee:
            label = _("Total, with shipping %(fee)s") % {"fee": format_money(doc.shipping_fee)}
        else:
            label = _("Total")
        return [
            FooterCell(label, colspan=7),
            FooterCell(format_money(doc.subtotal)),
            FooterCell(format_money(doc.tax_total)),
            FooterCell(format_money(doc.total), css="text-end fw-semibold"),
        ]


class CreditNoteLineTable(DocumentLineTable):
    class Meta(DocumentLineTable.Meta):
        model = CreditNoteLine
