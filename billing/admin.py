from django.contrib import admin

from billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from oms.admin import ReadOnlyAdmin, ReadOnlyInline


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine


# Tax documents are never edited, here least of all: an issued invoice is corrected by a
# credit note on the back-office pages (the database refuses changes to issued invoices too).
@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "order", "customer", "status", "issue_date", "total")
    inlines = [InvoiceLineInline]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ("number", "invoice", "customer", "reason", "issue_date", "total")
    inlines = [CreditNoteLineInline]
