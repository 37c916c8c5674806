"""A customer's statement on screen and as PDF, and statements for many customers (those the
receivables list's filters leave) made by a worker."""

from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views import View

from billing import statements
from billing.receivable_views import ReceivableFilterSet
from billing.receivables import aging
from customers.selectors import customers_visible_to
from oms.documents import pdf_response
from oms.errors import ServiceError
from oms.forms import date_input
from oms.generic import RequirePermissionMixin

VIEW = "billing.view_invoice"


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=date_input())
    end = forms.DateField(label=_("Until"), widget=date_input())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period must start before it ends."))
        return data


def period(params) -> tuple[date, date]:
    """The period asked for, or the last three months up to today when it is missing or
    wrong."""
    today = timezone.localdate()
    form = PeriodForm(params)
    if form.is_valid():
        return form.cleaned_data["start"], form.cleaned_data["end"]
    return (today - timedelta(days=90)).replace(day=1), today


class StatementView(RequirePermissionMixin, View):
    permission_required = VIEW

    def get(self, request, pk: int):
        customer = customers_visible_to(request.user).filter(pk=pk).first()
        if customer is None:
            raise Http404
        start, end = period(request.GET)
        if request.GET.get("format") == "pdf":
            pdf = statements.statement_pdf(customer, start, end)
            return pdf_response(pdf, statements.statement_file_name(customer, end))
        return HttpResponse(statements.statement_html(customer, start, end, request=request))


class StatementBatchView(RequirePermissionMixin, View):
    """POST `filters` (the receivables list's query string), `start`, `end`: the statements of
    every customer the list shows, as a zip made by a worker."""

    permission_required = VIEW
    http_method_names = ["post"]

    def post(self, request):
        filters = request.POST.get("filters", "")[:4000]
        list_url = reverse("billing:receivable_list") + (f"?{filters}" if filters else "")
        form = PeriodForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return HttpResponseRedirect(list_url)
        rows = ReceivableFilterSet(
            QueryDict(filters), queryset=aging(request.user), request=request
        )
        ids = list(
            rows.qs.values_list("customer", flat=True)[: settings.OMS_DOCUMENT_BATCH_MAX + 1]
        )
        try:
            job = statements.batch_start(
                actor=request.user,
                customer_ids=ids,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                query_string=filters,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except ServiceError as refused:
            messages.error(request, str(refused))
            return HttpResponseRedirect(list_url)
        return HttpResponseRedirect(reverse("file_job", args=[job.pk]))
