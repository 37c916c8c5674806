"""Pages of the statements finance imports: upload with a check first, the list of imports,
each import's lines, and confirming bank lines as payments."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from billing import bank_statements, remittances
from billing.models import BankStatement, BankStatementLine, CodRemittance
from billing.models.statements import BankLineStatus
from billing.remittance_forms import BankLineMatchForm, CodRemittanceUploadForm, StatementUploadForm
from billing.remittance_tables import (
    BankStatementLineTable,
    BankStatementTable,
    CodRemittanceLineTable,
    CodRemittanceTable,
)
from customers.models import Customer
from oms.errors import ServiceError
from oms.generic import (
    ObjectActionView,
    ObjectDetailView,
    ObjectListView,
    RequirePermissionMixin,
    get_object_or_404,
)
from oms.tables import compact_table

VIEW_COD = "billing.view_codremittance"
VIEW_BANK = "billing.view_bankstatement"
RECORD = "billing.record_payment"


class CodRemittanceListView(ObjectListView):
    permission_required = VIEW_COD
    table_class = CodRemittanceTable
    title = gettext_lazy("COD remittances")
    export_name = "cod-remittances"
    actions = [
        (gettext_lazy("Import statement"), "billing:cod_remittance_import", RECORD, "upload")
    ]

    def get_queryset(self):
        return CodRemittance.objects.select_related("carrier", "imported_by")


class CodRemittanceDetailView(ObjectDetailView):
    permission_required = VIEW_COD
    template_name = "billing/statement_detail.html"

    def lookup(self, pk):
        return CodRemittance.objects.select_related("carrier", "imported_by").filter(pk=pk).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = self.object.lines.select_related("shipment", "payment")
        context["lines"] = compact_table(CodRemittanceLineTable, lines, request=self.request)
        context["back"] = reverse("billing:cod_remittance_list")
        context["heading"] = _("COD remittance")
        return context


class BankStatementListView(ObjectListView):
    permission_required = VIEW_BANK
    table_class = BankStatementTable
    title = gettext_lazy("Bank statements")
    export_name = "bank-statements"
    actions = [
        (gettext_lazy("Import statement"), "billing:bank_statement_import", RECORD, "upload")
    ]

    def get_queryset(self):
        return BankStatement.objects.select_related("imported_by").annotate(
            open_lines=Count("lines", filter=Q(lines__status=BankLineStatus.OPEN))
        )


class BankStatementDetailView(ObjectDetailView):
    permission_required = VIEW_BANK
    template_name = "billing/statement_detail.html"

    def lookup(self, pk):
        return BankStatement.objects.select_related("imported_by").filter(pk=pk).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = self.object.lines.select_related(
            "suggested_customer", "suggested_invoice", "payment"
        )
        context["lines"] = compact_table(BankStatementLineTable, lines, request=self.request)
        context["back"] = reverse("billing:bank_statement_list")
        context["heading"] = _("Bank statement")
        return context


class StatementImportView(RequirePermissionMixin, View):
    """Upload a statement: "Check only" reports every row and writes nothing; "Import"
    writes what the check reported."""

    permission_required = RECORD
    template_name = "billing/statement_import.html"
    form_class = StatementUploadForm
    title = ""
    columns: tuple[str, ...] = ()
    help_text = ""
    back = ""

    def render_page(self, form, report=None, status=200):
        for row in report.rows if report else ():
            row.cells = [row.values.get(column, "") for column in self.columns]
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "report": report,
                "title": self.title,
                "columns": self.columns,
                "help_text": self.help_text,
                "back": reverse(self.back),
            },
            status=status,
        )

    def get(self, request):
        return self.render_page(self.form_class())

    def post(self, request):
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=422)
        report = self.run(form, dry_run=request.POST.get("mode") != "import")
        written = self.written(report)
        if written is not None:
            messages.success(request, self.done_message(report))
            return HttpResponseRedirect(written.get_absolute_url())
        return self.render_page(form, report, status=422 if report.errors else 200)


class CodRemittanceImportView(StatementImportView):
    form_class = CodRemittanceUploadForm
    title = gettext_lazy("Import COD remittance statement")
    columns = remittances.COD_COLUMNS
    help_text = gettext_lazy(
        "A header row, then one parcel per row: tracking number, amount collected, the "
        "carrier's fee, remittance date (YYYY-MM-DD). Chinese headers (运单号, 代收金额, 手续费, "
        "回款日期) are read too. Matched parcels and amount differences become payments; "
        "unknown parcels, duplicates and parcels recorded before are reported and skipped."
    )
    back = "billing:cod_remittance_list"

    def run(self, form, dry_run):
        return remittances.cod_remittance_import(
            actor=self.request.user,
            carrier=form.cleaned_data["carrier"],
            text=form.cleaned_data["file"],
            file_name=form.file_name,
            dry_run=dry_run,
        )

    def written(self, report):
        return report.remittance

    def done_message(self, report):
        return _("%(count)s COD payments recorded, %(total)s collected.") % {
            "count": report.remittance.recorded,
            "total": report.remittance.total_collected,
        }


class BankStatementImportView(StatementImportView):
    title = gettext_lazy("Import bank statement")
    columns = bank_statements.BANK_COLUMNS
    help_text = gettext_lazy(
        "A header row, then one booking per row: date (YYYY-MM-DD), amount, payer, reference. "
        "Chinese headers (交易日期, 金额, 对方户名, 摘要) are read too. Incoming amounts are kept "
        "with a suggested match for you to confirm; debits and lines imported before are "
        "skipped."
    )
    back = "billing:bank_statement_list"

    def run(self, form, dry_run):
        return bank_statements.bank_statement_import(
            actor=self.request.user,
            text=form.cleaned_data["file"],
            file_name=form.file_name,
            dry_run=dry_run,
        )

    def written(self, report):
        return report.statement

    def done_message(self, report):
        return _("%(count)s lines to match, %(suggested)s with a suggestion.") % {
            "count": len(report.new_rows),
            "suggested": report.suggested,
        }


def _bank_line(pk) -> BankStatementLine:
    return get_object_or_404(
        lambda pk: BankStatementLine.objects.select_related("statement").filter(pk=pk).first(),
        pk,
    )


class BankLineConfirmView(ObjectActionView):
    permission_required = RECORD

    def perform(self, request, **kwargs):
        line = _bank_line(kwargs["pk"])
        form = BankLineMatchForm(request.POST)
        if not form.is_valid():
            raise ServiceError(" ".join(form.errors["match"]))
        match = form.cleaned_data["match"]
        line = bank_statements.bank_line_confirm(
            actor=request.user,
            line=line,
            customer=match if isinstance(match, Customer) else None,
            invoice=None if match is None or isinstance(match, Customer) else match,
        )
        return _("Recorded %(payment)s for %(customer)s.") % {
            "payment": line.payment.number,
            "customer": line.payment.customer,
        }


class BankLineIgnoreView(ObjectActionView):
    permission_required = RECORD

    def perform(self, request, **kwargs):
        bank_statements.bank_line_ignore(actor=request.user, line=_bank_line(kwargs["pk"]))
        return _("The line is marked as not a customer's payment.")
