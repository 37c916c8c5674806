"""The pack station: keyboard-wedge scanning (typed text + Enter), no mouse needed. With htmx
a scan swaps the station's card in place; without JavaScript the form posts and the page
comes back with the result."""

import uuid

from django import forms
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from inventory.models import Warehouse
from oms.errors import ServiceError
from oms.generic import ObjectActionView, RequirePermissionMixin
from shipping import hooks
from shipping.choices import ShipmentStatus
from shipping.packing import (
    CODE_LENGTH,
    ScanResult,
    find_shipment,
    pack_lines,
    pack_reset,
    pack_scan,
)
from shipping.services import LOT_LENGTH
from shipping.views import get_shipment_or_404

PACK_PERMISSION = "shipping.pack_shipment"
STATION_WAREHOUSE = "pack_station_warehouse"


class StationForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=gettext_lazy("Packing at"),
        queryset=Warehouse.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label=gettext_lazy("Any warehouse"),
    )
    code = forms.CharField(label=gettext_lazy("Shipment barcode"), max_length=200, required=False)


def station_warehouse(request) -> int | None:
    value = request.session.get(STATION_WAREHOUSE)
    return value if isinstance(value, int) else None


class PackStationView(RequirePermissionMixin, View):
    """Scan a shipment's packing list or label to start packing it."""

    permission_required = PACK_PERMISSION
    template_name = "shipping/pack_station.html"

    def get(self, request):
        form = StationForm(request.GET or None, initial={"warehouse": station_warehouse(request)})
        error = None
        if request.GET and form.is_valid():
            warehouse = form.cleaned_data["warehouse"]
            request.session[STATION_WAREHOUSE] = warehouse.pk if warehouse else None
            if form.cleaned_data["code"].strip():
                try:
                    shipment = find_shipment(
                        request.user, form.cleaned_data["code"], station_warehouse(request)
                    )
                except ServiceError as exc:
                    error = str(exc)
                else:
                    return HttpResponseRedirect(
                        reverse("shipping:pack_station_shipment", args=[shipment.number])
                    )
        elif request.GET:
            error = _("Choose a warehouse of the list.")
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "error": error,
                "title": _("Pack station"),
                "code_length": CODE_LENGTH,
            },
            status=422 if error else 200,
        )


class PackShipmentView(RequirePermissionMixin, View):
    """One shipment at the station: scan each item; the last one packs the shipment."""

    permission_required = PACK_PERMISSION
    template_name = "shipping/pack_station_shipment.html"
    card_template = "shipping/includes/pack_card.html"

    def context(self, shipment, result: ScanResult | None):
        lines = pack_lines(shipment)
        warehouse = station_warehouse(self.request)
        return {
            "shipment": shipment,
            "order": shipment.order,
            "lines": lines,
            "done": sum(min(p.scanned, p.line.quantity) for p in lines),
            "total": sum(p.line.quantity for p in lines),
            "result": result,
            "scan_id": uuid.uuid4().hex,
            "packing": shipment.status == ShipmentStatus.PICKING,
            # Packed goods that may not leave yet (billing: a prepaid order not paid): said at
            # the station, so the parcel is set aside rather than handed to the carrier.
            "dispatch_refusal": hooks.dispatch_refusal(shipment)
            if shipment.status in (ShipmentStatus.PICKING, ShipmentStatus.PACKED)
            else None,
            "wrong_warehouse": warehouse is not None and warehouse != shipment.warehouse_id,
            "title": _("Pack %(number)s") % {"number": shipment.number},
            "code_length": CODE_LENGTH,
            "lot_length": LOT_LENGTH,
        }

    def get(self, request, number):
        shipment = get_shipment_or_404(request.user, number)
        return render(request, self.template_name, self.context(shipment, None))

    def post(self, request, number):
        shipment = get_shipment_or_404(request.user, number)
        warehouse = station_warehouse(request)
        if warehouse is not None and warehouse != shipment.warehouse_id:
            result = ScanResult(
                False,
                _("%(number)s leaves from another warehouse than this station's.")
                % {"number": shipment.number},
            )
        else:
            try:
                result = pack_scan(
                    actor=request.user,
                    shipment=shipment,
                    code=request.POST.get("code", ""),
                    scan_id=request.POST.get("scan_id", ""),
                    lot=request.POST.get("lot", ""),
                )
            except ServiceError as exc:
                result = ScanResult(False, str(exc))
        shipment = get_shipment_or_404(request.user, number)
        if request.headers.get("HX-Request"):
            # htmx swaps the card; an error answers 200 too, so the card shows it (and sounds).
            return render(request, self.card_template, self.context(shipment, result))
        # Without htmx (no JavaScript, or Enter pressed before htmx took a new form) the whole
        # page comes back with the result in its card; a resent form repeats its scan_id,
        # which counts nothing twice.
        return render(
            request,
            self.template_name,
            self.context(shipment, result),
            status=200 if result.ok else 422,
        )


class PackResetView(ObjectActionView):
    permission_required = PACK_PERMISSION

    def perform(self, request, **kwargs):
        shipment = pack_reset(
            actor=request.user, shipment=get_shipment_or_404(request.user, kwargs["number"])
        )
        return _("The count of %(number)s starts again.") % {"number": shipment.number}

    def get_redirect_url(self, request, **kwargs):
        return reverse("shipping:pack_station_shipment", args=[kwargs["number"]])
