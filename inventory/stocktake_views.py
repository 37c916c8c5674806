"""Stocktake pages: list, open, detail with the variance review, count entry (a paged
formset), CSV upload and template, count sheet, post and cancel."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from inventory import selectors, stocktake
from inventory.filters import StockCountFilterSet
from inventory.forms import CountEntryFormSet, CountUploadForm, StocktakeOpenForm
from inventory.tables import StockCountTable, stock_count_scope
from oms.documents import barcode_svg
from oms.errors import ServiceError
from oms.generic import (
    DocumentView,
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RequirePermissionMixin,
    get_object_or_404,
    int_param,
)

VIEW = "inventory.view_stockcount"
OPEN = "inventory.add_stockcount"
COUNT = "inventory.change_stockcount"
POST = "inventory.post_stockcount"
LINES_PER_PAGE = 50


class StocktakeListView(ObjectListView):
    permission_required = VIEW
    filterset_class = StockCountFilterSet
    table_class = StockCountTable
    title = gettext_lazy("Stocktakes")
    export_name = "stocktakes"
    actions = [(gettext_lazy("New stocktake"), "inventory:stocktake_create", OPEN, "plus-lg")]

    def get_queryset(self):
        return selectors.stocktake_list()

    def get_summary(self, queryset):
        return _(
            "Counts of a warehouse as at their snapshot; posting books the differences to the "
            "stock ledger."
        )


class StocktakeCreateView(ObjectEditView):
    permission_required = OPEN
    form_class = StocktakeOpenForm
    title = gettext_lazy("New stocktake")
    submit_label = gettext_lazy("Open and take the snapshot")
    list_url_name = "inventory:stocktake_list"

    def get_form_kwargs(self):
        if self.request.method == "GET" and "warehouse" in self.request.GET:
            return {"initial": {"warehouse": self.request.GET.get("warehouse")}}
        return {}

    def save(self, form):
        return stocktake.stocktake_open(actor=self.request.user, **form.cleaned_data)

    def success_message(self, count):
        return _("Opened %(number)s with %(lines)s lines to count.") % {
            "number": count.number,
            "lines": count.lines.count(),
        }


class StocktakeDetailView(ObjectDetailView):
    permission_required = VIEW
    template_name = "inventory/stocktake_detail.html"
    lookup = staticmethod(selectors.stocktake_detail)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = self.object
        lines = selectors.variance_lines(count)
        moved = selectors.moved_since_snapshot(count) if count.is_open else {}
        for line in lines:
            line.moved = moved.get(line.stock_level_id, 0)
        context.update(
            {
                "scope": stock_count_scope(count),
                "variance_lines": lines,
                "moved_lines": sum(1 for value in moved.values() if value),
                "totals": {
                    "gain": sum(line.variance_value for line in lines if line.variance > 0),
                    "loss": sum(line.variance_value for line in lines if line.variance < 0),
                    "net": sum(line.variance_value for line in lines),
                    "units": sum(line.variance for line in lines),
                },
                "not_counted": count.line_count - count.counted_count,
            }
        )
        return context


def _count_or_404(pk: int):
    return get_object_or_404(selectors.stocktake_detail, pk)


class StocktakeCountView(RequirePermissionMixin, View):
    """Enter counts, LINES_PER_PAGE lines a page in walking order; blank is not counted."""

    permission_required = COUNT
    template_name = "inventory/stocktake_count.html"

    def page(self, count):
        paginator = Paginator(selectors.stocktake_lines(count), LINES_PER_PAGE)
        number = int_param(self.request, "page", 1, low=1, high=max(paginator.num_pages, 1))
        return paginator.page(number)

    def render_page(self, count, page, formset, status=200):
        rows = list(zip(page.object_list, formset.forms, strict=True))
        return render(
            self.request,
            self.template_name,
            {"object": count, "page_obj": page, "formset": formset, "rows": rows},
            status=status,
        )

    def get(self, request, pk):
        count = _count_or_404(pk)
        if not count.is_open:
            messages.info(request, _("This stocktake is closed; counts can no longer change."))
            return HttpResponseRedirect(count.get_absolute_url())
        page = self.page(count)
        formset = CountEntryFormSet(
            initial=[{"line": line.pk, "counted": line.counted} for line in page.object_list]
        )
        return self.render_page(count, page, formset)

    def post(self, request, pk):
        count = _count_or_404(pk)
        page = self.page(count)
        formset = CountEntryFormSet(
            data=request.POST,
            initial=[{"line": line.pk, "counted": line.counted} for line in page.object_list],
        )
        valid = formset.is_valid()
        # A tampered management form can leave rows out of validation (they come back
        # without their line), and a row's hidden line can be altered or blanked: either way
        # the page is not the one that was posted.
        if (
            len(formset.forms) != len(page.object_list)
            or any("line" in form.errors for form in formset)
            or (valid and any("line" not in form.cleaned_data for form in formset))
        ):
            messages.error(request, _("The lines changed while you were counting; try again."))
            return HttpResponseRedirect(request.path + f"?page={page.number}")
        if valid:
            counts = {form.cleaned_data["line"]: form.cleaned_data["counted"] for form in formset}
            try:
                changed = stocktake.stocktake_record_counts(
                    actor=request.user, count=count, counts=counts
                )
            except ValidationError as exc:
                formset._non_form_errors = formset.error_class(exc.messages)
            except ServiceError as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(count.get_absolute_url())
            else:
                messages.success(
                    request, _("Saved %(count)s counts on this page.") % {"count": changed}
                )
                if "next" in request.POST and page.has_next():
                    return HttpResponseRedirect(request.path + f"?page={page.next_page_number()}")
                return HttpResponseRedirect(request.path + f"?page={page.number}")
        return self.render_page(count, page, formset, status=422)


class StocktakeUploadView(RequirePermissionMixin, View):
    """Counts from a CSV: every bad row is listed with its line and nothing is written."""

    permission_required = COUNT
    template_name = "inventory/stocktake_upload.html"

    def render_page(self, count, form, report=None, status=200):
        return render(
            self.request,
            self.template_name,
            {"object": count, "form": form, "report": report},
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(_count_or_404(pk), CountUploadForm())

    def post(self, request, pk):
        count = _count_or_404(pk)
        form = CountUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(count, form, status=422)
        try:
            report = stocktake.stocktake_import_csv(
                actor=request.user, count=count, text=form.cleaned_data["file"]
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
            return self.render_page(count, form, status=422)
        if not report.ok:
            return self.render_page(count, form, report, status=422)
        messages.success(
            request,
            _("Read %(rows)s rows; %(changed)s counts changed.")
            % {"rows": report.rows, "changed": report.changed},
        )
        return HttpResponseRedirect(count.get_absolute_url())


class StocktakeTemplateView(RequirePermissionMixin, View):
    permission_required = VIEW

    def get(self, request, pk):
        count = _count_or_404(pk)
        response = HttpResponse(
            stocktake.stocktake_template_csv(count), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{count.number}.csv"'
        return response


class StocktakeSheetView(DocumentView):
    """The count sheet of a session: the warehouse's sheet, printing the session's lines."""

    permission_required = VIEW
    template_name = "inventory/count_sheet.html"
    lookup = staticmethod(selectors.stocktake_detail)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = self.object
        context.update(
            {
                "warehouse": count.warehouse,
                "stocktake": count,
                "scope": stock_count_scope(count),
                "rows": list(selectors.stocktake_lines(count)),
                "document_number": count.number,
                "barcode": barcode_svg(count.number),
                "printed_at": timezone.localtime(),
                "title": _("Stock-count sheet"),
                "back_url": count.get_absolute_url(),
            }
        )
        return context


class StocktakePostView(ObjectActionView):
    permission_required = POST

    def perform(self, request, **kwargs):
        count = _count_or_404(kwargs["pk"])
        count = stocktake.stocktake_post(actor=request.user, count=count)
        return _("Posted %(number)s: %(adjusted)s adjustments written to the stock ledger.") % {
            "number": count.number,
            "adjusted": count.lines.filter(movement__isnull=False).count(),
        }

    def get_redirect_url(self, request, **kwargs):
        return reverse("inventory:stocktake_detail", args=[kwargs["pk"]])


class StocktakeCancelView(ObjectActionView):
    permission_required = COUNT

    def perform(self, request, **kwargs):
        count = stocktake.stocktake_cancel(actor=request.user, count=_count_or_404(kwargs["pk"]))
        return _("%(number)s is cancelled; nothing was written to the stock ledger.") % {
            "number": count.number
        }

    def get_redirect_url(self, request, **kwargs):
        return reverse("inventory:stocktake_detail", args=[kwargs["pk"]])
