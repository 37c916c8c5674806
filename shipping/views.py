"""Shipment pages: the list, the shipment page and its actions (each a POST that calls one
service), and the dispatch form. The page offers exactly `shipment_allowed_actions`."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from oms.documents import barcode_svg
from oms.generic import (
    DocumentView,
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RequirePermissionMixin,
)
from oms.tables import compact_table
from orders.intake.platform_carriers import ID_KINDS, ids_of_carrier
from shipping import carrier_services, hooks, selectors, services
from shipping.batch_print import batch_document_choices
from shipping.choices import ShipmentStatus
from shipping.documents import DOCUMENTS, shipment_document_context
from shipping.filters import CarrierFilterSet, RateFilterSet, ShipmentFilterSet
from shipping.forms import (
    CarrierForm,
    CarrierOverrideForm,
    CarrierServiceForm,
    DispatchForm,
    ProgressForm,
    RateImportForm,
    WaveForm,
    wave_shipments,
)
from shipping.models import Carrier, Shipment
from shipping.ontime import carrier_on_time
from shipping.permissions import (
    ACTION_PERMISSIONS,
    ShipmentAction,
    shipment_allowed_actions,
)
from shipping.tables import CarrierTable, RateTable, ShipmentLineTable, ShipmentTable, WaveTable
from shipping.tracking import adapters as tracking_adapters
from shipping.tracking import selectors as tracking_selectors
from shipping.tracking import services as tracking_services


def get_shipment_or_404(user, number: str) -> Shipment:
    shipment = (
        selectors.shipments_visible_to(user).select_related("order").filter(number=number).first()
    )
    if shipment is None:
        raise Http404
    return shipment


class ShipmentListView(ObjectListView):
    permission_required = "shipping.view_shipment"
    filterset_class = ShipmentFilterSet
    table_class = ShipmentTable
    title = gettext_lazy("Shipments")
    export_name = "shipments"
    template_name = "shipping/shipment_list.html"

    def get_queryset(self):
        return selectors.shipment_list(self.request.user)

    def get_extra_context(self):
        # The batch print form keeps the list's filters for "every shipment matching them".
        return {
            "batch_documents": batch_document_choices,
            "batch_filters": self.filters_query(),
            "batch_inline_max": settings.OMS_DOCUMENT_BATCH_INLINE_MAX,
        }

    def get_summary(self, queryset):
        return _(
            "Each shipment is the goods of one order leaving one warehouse. Overdue: not "
            "delivered by the expected date."
        )


# Where staff may still type in the carrier's news (a finished parcel takes none).
TRACKABLE_STATUSES = frozenset(
    {
        ShipmentStatus.DISPATCHED,
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.EXCEPTION,
    }
)


class ShipmentDetailView(ObjectDetailView):
    permission_required = "shipping.view_shipment"
    template_name = "shipping/shipment_detail.html"

    def get_object(self):
        return selectors.shipment_detail(self.request.user, self.kwargs["number"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shipment = self.object
        allowed = shipment_allowed_actions(shipment, self.request.user)
        context.update(
            {
                "lines_table": ShipmentLineTable(shipment.lines.all()),
                "events": shipment.events.all(),
                "can": {str(a): True for a in allowed},
                "documents": DOCUMENTS.values(),
                "tracking_events": tracking_selectors.shipment_tracking_events(shipment),
                "progress_form": ProgressForm()
                if shipment.dispatched_at
                and shipment.status in TRACKABLE_STATUSES
                and self.request.user.has_perm("shipping.track_shipment")
                else None,
            }
        )
        return context


class ShipmentDocumentView(DocumentView):
    """A shipment's pick list, packing list, delivery note or shipping label."""

    permission_required = "shipping.view_shipment"

    def get_object(self):
        self.document = DOCUMENTS.get(self.kwargs["kind"])
        if self.document is None:
            raise Http404
        return selectors.shipment_detail(self.request.user, self.kwargs["number"])

    def get_template_names(self):
        return [self.document.template]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(shipment_document_context(self.object, self.document, self.request))
        return context


class WaveView(RequirePermissionMixin, TemplateView):
    """Wave picking: choose a warehouse's shipments (most urgent first), then print one pick
    list for all of them."""

    permission_required = "shipping.pick_shipment"
    template_name = "shipping/wave.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = WaveForm(self.request.GET or None)
        candidates = []
        if form.is_valid():
            data = form.cleaned_data
            candidates = list(
                selectors.wave_candidates(
                    warehouse_id=data["warehouse"].pk,
                    min_priority=data["min_priority"],
                    due_by=data["due_by"],
                    slot_date=data["slot_date"],
                    slot_starts=data["slot"] or None,
                    limit=data["limit"] or 50,
                )
            )
        context.update(
            {
                "form": form,
                "candidates": candidates,
                "wave_table": WaveTable(candidates),
                "title": _("Pick wave"),
            }
        )
        return context


class WavePickListView(DocumentView):
    """One pick list for the chosen shipments: by bin, the total per bin and its split over
    the orders."""

    permission_required = "shipping.pick_shipment"
    template_name = "shipping/documents/pick_list.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except ValidationError as refused:
            context = {"form": WaveForm(), "candidates": [], "title": _("Pick wave")}
            return render(
                request,
                WaveView.template_name,
                {**context, "refused": refused.messages},
                status=400,
            )

    def get_object(self):
        return wave_shipments(self.request.GET.getlist("shipment"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shipments = self.object
        rows = selectors.wave_rows(shipments)
        now = timezone.localtime()
        warehouse = shipments[0].warehouse
        context.update(
            {
                "warehouse": warehouse,
                "shipments": shipments,
                "orders": len({s.order_id for s in shipments}),
                "rows": rows,
                "units": sum(row.quantity for row in rows),
                "title": _("Wave pick list"),
                "document_number": f"WV-{warehouse.pk}-{now:%Y%m%d-%H%M}",
                "barcode": barcode_svg(f"WV-{warehouse.pk}-{now:%Y%m%d-%H%M}"),
                "printed_at": now,
                "back_url": reverse("shipping:wave") + f"?warehouse={warehouse.pk}",
            }
        )
        return context


class ShipmentActionView(ObjectActionView):
    def get_redirect_url(self, request, **kwargs):
        return reverse("shipping:detail", args=[kwargs["number"]])

    def shipment(self, kwargs) -> Shipment:
        return get_shipment_or_404(self.request.user, kwargs["number"])


class StartPickingView(ShipmentActionView):
    permission_required = ACTION_PERMISSIONS[ShipmentAction.START_PICKING]

    def perform(self, request, **kwargs):
        shipment = services.shipment_start_picking(
            actor=request.user, shipment=self.shipment(kwargs)
        )
        return _("Picking %(number)s.") % {"number": shipment.number}


class PackView(ShipmentActionView):
    permission_required = ACTION_PERMISSIONS[ShipmentAction.PACK]

    def perform(self, request, **kwargs):
        lots = {}
        for key, value in request.POST.items():
            name, _sep, line_id = key.partition("-")
            if name == "lot" and line_id.isascii() and line_id.isdigit():
                lots[int(line_id)] = value
        shipment = services.shipment_pack(
            actor=request.user, shipment=self.shipment(kwargs), lots=lots
        )
        return _("%(number)s is packed and ready to dispatch.") % {"number": shipment.number}


class ProgressView(ShipmentActionView):
    """The carrier's news typed in by staff: a manual tracking event (what, when, where)."""

    permission_required = "shipping.track_shipment"

    def perform(self, request, **kwargs):
        form = ProgressForm(request.POST)
        if not form.is_valid():
            raise ValidationError(
                [
                    " ".join(errors)
                    if name not in form.fields
                    else f"{form.fields[name].label}: {' '.join(errors)}"
                    for name, errors in form.errors.items()
                ]
            )
        data = form.cleaned_data
        shipment = tracking_services.tracking_event_record(
            actor=request.user,
            shipment=self.shipment(kwargs),
            status=data["status"],
            event_time=data["event_time"],
            place=data["place"],
            note=data["note"],
        )
        return _("Recorded. %(number)s is %(status)s.") % {
            "number": shipment.number,
            "status": shipment.get_status_display(),
        }


class DispatchView(ObjectEditView):
    """The carrier's details, then dispatch: the stock is issued and the order follows."""

    permission_required = ACTION_PERMISSIONS[ShipmentAction.DISPATCH]
    form_class = DispatchForm
    template_name = "shipping/shipment_dispatch.html"
    title = gettext_lazy("Dispatch")
    submit_label = gettext_lazy("Dispatch")

    def get_object(self):
        return get_shipment_or_404(self.request.user, self.kwargs["number"])

    def get_form_kwargs(self):
        shipment = self.object
        return {
            "initial": {
                "carrier": shipment.carrier,
                "service": shipment.service or "standard",
                "tracking_number": shipment.tracking_number,
                "parcels": shipment.parcels,
                "weight_kg": selectors.shipment_weight(shipment),
                "declared_value": shipment.declared_value,
                "cod_amount": shipment.cod_amount,
                "expected_delivery_date": shipment.expected_delivery_date,
            }
        }

    def get_extra_context(self):
        refusal = None
        if ShipmentAction.DISPATCH not in shipment_allowed_actions(self.object, self.request.user):
            refusal = _("%(number)s cannot be dispatched now: it is %(status)s.") % {
                "number": self.object.number,
                "status": self.object.get_status_display(),
            }
        else:
            # What a higher layer's guard will say (billing: a prepaid order not paid yet),
            # shown before the warehouse types the carrier's details.
            refusal = hooks.dispatch_refusal(self.object)
        return {"refusal": refusal, "lines": self.object.lines.select_related("product")}

    def save(self, form):
        return services.shipment_dispatch(
            actor=self.request.user, shipment=self.object, details=form.details()
        )

    def success_message(self, obj):
        return _("%(number)s is dispatched with %(carrier)s, tracking number %(tracking)s.") % {
            "number": obj.number,
            "carrier": obj.carrier,
            "tracking": obj.tracking_number,
        }


# Carriers, their services and rate cards -----------------------------------------------------


RATE_PREVIEW = 20


def _carrier_or_404(pk: int) -> Carrier:
    carrier = Carrier.objects.filter(pk=pk).first()
    if carrier is None:
        raise Http404
    return carrier


class CarrierListView(ObjectListView):
    permission_required = "shipping.view_carrier"
    filterset_class = CarrierFilterSet
    table_class = CarrierTable
    title = gettext_lazy("Carriers")
    export_name = "carriers"
    actions = [
        (gettext_lazy("New carrier"), "shipping:carrier_create", "shipping.add_carrier", "plus-lg")
    ]

    def get_queryset(self):
        return selectors.carrier_list()

    def get_summary(self, queryset):
        return _(
            "Each shipment gets the cheapest service that covers its destination, takes the "
            "parcel and arrives by the requested date."
        )


class CarrierDetailView(ObjectDetailView):
    permission_required = "shipping.view_carrier"
    template_name = "shipping/carrier_detail.html"

    def get_object(self):
        return Carrier.objects.filter(pk=self.kwargs["pk"]).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["services"] = self.object.services.order_by("level")
        # The first rows; the rate card page pages and filters all of them.
        rows = list(selectors.carrier_rates(self.object)[: RATE_PREVIEW + 1])
        context["rates"] = compact_table(RateTable, rows[:RATE_PREVIEW], without=("carrier",))
        context["more_rates"] = len(rows) > RATE_PREVIEW
        context["rate_filter"] = RateFilterSet().form
        context["on_time"] = carrier_on_time(self.object)
        context["can_change"] = self.request.user.has_perm("shipping.change_carrier")
        context["push_url"] = tracking_services.callback_url(self.object)
        stored = ids_of_carrier(self.object.code)
        context["platform_ids"] = [
            (label, stored.get(kind, "")) for kind, label in ID_KINDS.items()
        ]
        if tracking_adapters.adapter_for(self.object).supports_query:
            context["breaker"] = tracking_services.breaker_for(self.object).state()
        return context


class CarrierEditView(ObjectEditView):
    permission_required = "shipping.change_carrier"
    form_class = CarrierForm
    title = gettext_lazy("Edit carrier")
    list_url_name = "shipping:carrier_list"

    def get_object(self):
        return _carrier_or_404(self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"instance": self.object}

    def save(self, form):
        return carrier_services.carrier_save(
            actor=self.request.user, carrier=self.object, data=form.cleaned_data
        )


class CarrierCreateView(CarrierEditView):
    permission_required = "shipping.add_carrier"
    title = gettext_lazy("New carrier")

    def get_object(self):
        return None


class CarrierServiceEditView(ObjectEditView):
    permission_required = "shipping.change_carrier"
    form_class = CarrierServiceForm
    title = gettext_lazy("Carrier service")

    def get_object(self):
        self.carrier = _carrier_or_404(self.kwargs["pk"])
        if "service_pk" not in self.kwargs:
            return None
        service = self.carrier.services.filter(pk=self.kwargs["service_pk"]).first()
        if service is None:
            raise Http404
        return service

    def get_form_kwargs(self):
        return {"instance": self.object}

    def get_cancel_url(self):
        return self.carrier.get_absolute_url()

    def get_success_url(self, obj):
        return self.carrier.get_absolute_url()

    def save(self, form):
        return carrier_services.carrier_service_save(
            actor=self.request.user,
            carrier=self.carrier,
            service=self.object,
            data=form.cleaned_data,
        )


class RateImportView(RequirePermissionMixin, View):
    """Upload a rate card CSV: "Check" reports every row and writes nothing; "Import" writes
    the rows only when every one is good."""

    permission_required = "shipping.change_carrier"
    template_name = "shipping/rate_import.html"

    def render_page(self, form, report=None, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "carrier": self.carrier,
                "form": form,
                "report": report,
                "columns": carrier_services.RATE_COLUMNS,
                "title": _("Import rate card"),
            },
            status=status,
        )

    def get(self, request, pk):
        self.carrier = _carrier_or_404(pk)
        return self.render_page(RateImportForm())

    def post(self, request, pk):
        self.carrier = _carrier_or_404(pk)
        form = RateImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=422)
        dry_run = request.POST.get("mode") != "import"
        report = carrier_services.rate_import(
            actor=request.user,
            carrier=self.carrier,
            text=form.cleaned_data["file"],
            dry_run=dry_run,
        )
        if report.written:
            messages.success(
                request,
                _("%(count)s rate card rows imported.") % {"count": report.written},
            )
            return HttpResponseRedirect(self.carrier.get_absolute_url())
        return self.render_page(form, report, status=200 if report.ok else 422)


class ShipmentCarrierView(ShipmentActionView):
    """Choose the carrier by the rules, or (with a service and a reason) override them."""

    permission_required = carrier_services.CHOOSE_PERMISSION

    def perform(self, request, **kwargs):
        service_id = None
        reason = ""
        if "override" in request.POST or "service" in request.POST:
            form = CarrierOverrideForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose a service and say why."))
            service_id, reason = form.cleaned_data["service"], form.cleaned_data["reason"]
        shipment, _choice = carrier_services.shipment_choose_carrier(
            actor=request.user, shipment=self.shipment(kwargs), service_id=service_id, reason=reason
        )
        return _("%(number)s goes with %(carrier)s, expected %(date)s.") % {
            "number": shipment.number,
            "carrier": shipment.carrier_service,
            "date": shipment.expected_delivery_date.isoformat()
            if shipment.expected_delivery_date
            else "—",
        }
