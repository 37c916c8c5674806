"""The shipments list's batch printing: the chosen shipments (or every one the filters leave)
as one PDF of packing lists, delivery notes or labels."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.views import View

from oms.db import typed_id
from oms.documents import pdf_response
from oms.errors import ServiceError
from oms.generic import RequirePermissionMixin
from shipping import batch_print


class BatchPrintView(RequirePermissionMixin, View):
    """POST: `document`, and either `shipment` (ids, repeated: the ticked rows) or
    `scope=all` with `filters` (the list's query string). Up to
    OMS_DOCUMENT_BATCH_INLINE_MAX documents come back as the PDF; more become a file job and
    the answer is its progress page."""

    permission_required = batch_print.PERMISSION
    http_method_names = ["post"]

    def post(self, request):
        filters = request.POST.get("filters", "")[:4000]
        list_url = reverse("shipping:list") + (f"?{filters}" if filters else "")
        try:
            document = batch_print.batch_document(request.POST.get("document", ""))
            ids = self.chosen_ids(request, filters)
            shipments = list(batch_print.printable_shipments(request.user, ids[: self.limit()]))
            if not shipments:
                raise ServiceError(translation.gettext("Choose at least one shipment."))
            if len(ids) <= settings.OMS_DOCUMENT_BATCH_INLINE_MAX:
                pdf = batch_print.render_batch_pdf(shipments, document)
                name = f"{document.kind}-{timezone.localtime():%Y%m%d-%H%M}.pdf"
                return pdf_response(pdf, name, inline=False)
            job = batch_print.batch_start(
                actor=request.user,
                document=document.kind,
                shipment_ids=ids,
                path=reverse("shipping:list"),
                query_string=filters,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except ServiceError as refused:
            messages.error(request, str(refused))
            return HttpResponseRedirect(list_url)
        return HttpResponseRedirect(reverse("file_job", args=[job.pk]))

    @staticmethod
    def limit() -> int:
        return settings.OMS_DOCUMENT_BATCH_MAX + 1

    def chosen_ids(self, request, filters: str) -> list[int]:
        """The ids of the shipments chosen: the ticked rows, or every row of the list with
        these filters (as the list shows them to this user)."""
        from shipping.views import ShipmentListView

        if request.POST.get("scope") == "all":
            queryset = ShipmentListView.rows_matching(request, filters)
            ids = list(queryset.order_by("number").values_list("pk", flat=True)[: self.limit()])
        else:
            chosen = request.POST.getlist("shipment")[: self.limit()]
            ids = [pk for pk in map(typed_id, chosen) if pk is not None]
        return ids
