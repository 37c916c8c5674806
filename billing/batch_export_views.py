from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.views import View

from billing import batch_export
from oms.documents import pdf_response
from oms.errors import ServiceError
from oms.generic import RequirePermissionMixin


class InvoiceBatchView(RequirePermissionMixin, View):
    """POST `filters` (the invoice list's query string): every issued invoice the list shows
    with them, as one PDF. Up to OMS_DOCUMENT_BATCH_INLINE_MAX come back at once; more become
    a file job and the answer is its progress page."""

    permission_required = batch_export.PERMISSION
    http_method_names = ["post"]

    def post(self, request):
        from billing.views import InvoiceListView

        filters = request.POST.get("filters", "")[:4000]
        list_url = reverse("billing:invoice_list") + (f"?{filters}" if filters else "")
        if "filters" not in request.POST:
            # Only the list's form asks (it always sends its filters, maybe empty).
            messages.error(
                request, translation.gettext("Export the invoices from the invoices list.")
            )
            return HttpResponseRedirect(list_url)
        queryset = InvoiceListView.rows_matching(request, filters)
        limit = settings.OMS_DOCUMENT_BATCH_MAX + 1
        ids = list(queryset.exclude(number=None).values_list("pk", flat=True)[:limit])
        try:
            if len(ids) <= settings.OMS_DOCUMENT_BATCH_INLINE_MAX:
                invoices = list(batch_export.printable_invoices(request.user, ids))
                if not invoices:
                    raise ServiceError(
                        translation.gettext("No issued invoice matches these filters.")
                    )
                name = f"invoices-{timezone.localtime():%Y%m%d-%H%M}.pdf"
                return pdf_response(batch_export.render_invoices_pdf(invoices), name, inline=False)
            job = batch_export.batch_start(
                actor=request.user,
                invoice_ids=ids,
                query_string=filters,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except ServiceError as refused:
            messages.error(request, str(refused))
            return HttpResponseRedirect(list_url)
        return HttpResponseRedirect(reverse("file_job", args=[job.pk]))
