from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import payment_selectors, selectors, services
from billing.choices import InvoiceStatus
from billing.filters import CreditNoteFilterSet, InvoiceFilterSet
from billing.forms import CreditNoteForm
from billing.payment_tables import InvoicePaymentTable
from billing.printing import print_context
from billing.refunds import refundable
from billing.schedules import installments_context
from billing.tables import CreditNoteLineTable, CreditNoteTable, DocumentLineTable, InvoiceTable
from oms.generic import (
    DocumentView,
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    get_object_or_404,
)
from oms.money import ZERO
from oms.tables import compact_table
from orders.choices import OrderStatus

VIEW = "billing.view_invoice"
ISSUE = "billing.issue_invoice"


class InvoiceInUrlMixin:
    """The invoice of the URL's `pk`, when its customer is one the user may see."""

    def lookup(self, pk):
        return selectors.invoice_detail(pk, self.request.user)


class CreditNoteInUrlMixin:
    def lookup(self, pk):
        return selectors.credit_note_detail(pk, self.request.user)


class InvoiceListView(ObjectListView):
    permission_required = VIEW
    filterset_class = InvoiceFilterSet
    table_class = InvoiceTable
    title = gettext_lazy("Invoices")
    export_name = "invoices"
    template_name = "billing/invoice_list.html"
    actions = [(gettext_lazy("Credit notes"), "billing:credit_note_list", VIEW, "receipt-cutoff")]

    def get_queryset(self):
        return selectors.invoice_list(self.request.user)

    def get_extra_context(self):
        # The batch PDF form keeps the list's filters.
        return {
            "batch_filters": self.filters_query(),
            "batch_inline_max": settings.OMS_DOCUMENT_BATCH_INLINE_MAX,
        }


class CreditNoteListView(ObjectListView):
    permission_required = VIEW
    filterset_class = CreditNoteFilterSet
    table_class = CreditNoteTable
    title = gettext_lazy("Credit notes")
    export_name = "credit-notes"

    def get_queryset(self):
        return selectors.credit_note_list(self.request.user)


def document_context(document, line_table_class, request) -> dict:
    lines = list(document.lines.all())
    table = line_table_class(lines, document=document)
    table.request = request
    return {
        "line_table": table,
        "tax_summary": selectors.tax_summary(lines, document),
    }


class InvoiceDetailView(InvoiceInUrlMixin, ObjectDetailView):
    permission_required = VIEW
    template_name = "billing/invoice_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(document_context(self.object, DocumentLineTable, self.request))
        user = self.request.user
        notes = list(self.object.credit_notes.all())
        context["has_credit_notes"] = bool(notes)
        context["credit_notes"] = compact_table(
            CreditNoteTable,
            notes,
            columns=("number", "issue_date", "reason", "total"),
            request=self.request,
        )
        allocations = list(payment_selectors.allocations_of_invoice(self.object))
        context["payments"] = (
            compact_table(InvoicePaymentTable, allocations, request=self.request)
            if allocations
            else None
        )
        context["can_pay"] = (
            self.object.status in (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_CREDITED)
            and self.object.open_amount > 0
            and self.object.order.status != OrderStatus.CANCELLED
            and user.has_perm("billing.record_payment")
        )
        context.update(installments_context(self.object, user))
        context["can_issue"] = self.object.status == InvoiceStatus.HELD and user.has_perm(ISSUE)
        context["can_credit"] = self.object.status in (
            InvoiceStatus.ISSUED,
            InvoiceStatus.PARTLY_CREDITED,
        ) and user.has_perm(ISSUE)
        return context


class CreditNoteDetailView(CreditNoteInUrlMixin, ObjectDetailView):
    permission_required = VIEW
    template_name = "billing/credit_note_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(document_context(self.object, CreditNoteLineTable, self.request))
        note = self.object
        context["refunds"] = list(payment_selectors.refunds_of_credit_note(note))
        # What the note released and finance did not pay back stays the customer's credit.
        released = sum((r.amount for r in note.releases.all()), ZERO)
        context["kept_credit"] = released + sum((r.amount for r in context["refunds"]), ZERO)
        receipt, amount = refundable(note)
        if receipt is not None and self.request.user.has_perm("billing.record_payment"):
            context["refundable"], context["refund_receipt"] = amount, receipt
        return context


class InvoiceIssueView(ObjectActionView):
    """Issue a held invoice once the customer's fapiao details are right."""

    permission_required = ISSUE

    def perform(self, request, **kwargs):
        invoice = get_object_or_404(
            lambda pk: selectors.invoice_detail(pk, request.user), kwargs["pk"]
        )
        issued = services.invoice_issue(actor=request.user, invoice=invoice)
        return _("Issued invoice %(number)s.") % {"number": issued.number}

    def get_redirect_url(self, request, **kwargs):
        return reverse("billing:invoice_detail", args=[kwargs["pk"]])


class InvoiceCreditView(InvoiceInUrlMixin, ObjectEditView):
    permission_required = ISSUE
    form_class = CreditNoteForm
    title = gettext_lazy("New credit note")
    submit_label = gettext_lazy("Issue credit note")

    def get_form_kwargs(self):
        return {"invoice": self.object}

    def save(self, form):
        return services.credit_note_create(
            actor=self.request.user,
            invoice=self.object,
            quantities=form.quantities(),
            shipping=form.cleaned_data.get("shipping", False),
            note=form.cleaned_data["note"],
        )

    def success_message(self, obj):
        return _("Issued credit note %(number)s.") % {"number": obj.number}


class PrintMixin:
    """An invoice or credit note printed: the same template on screen and as the PDF."""

    kind_title = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(print_context(self.object, self.kind_title))
        return context


class InvoicePrintView(PrintMixin, InvoiceInUrlMixin, DocumentView):
    permission_required = VIEW
    template_name = "billing/documents/invoice.html"
    kind_title = gettext_lazy("Invoice")


class CreditNotePrintView(PrintMixin, CreditNoteInUrlMixin, DocumentView):
    permission_required = VIEW
    template_name = "billing/documents/invoice.html"
    kind_title = gettext_lazy("Credit note")
