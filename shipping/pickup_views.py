"""Store pickup pages: pickup points (list, new, edit, on/off), an order's pickup choice, the
pickup desk (type or scan the customer's code, Enter: handed over) and a new code."""

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.errors import ServiceError
from oms.filters import SearchFilterSet
from oms.forms import BootstrapFormMixin
from oms.generic import (
    ObjectActionView,
    ObjectEditView,
    ObjectListView,
    RequirePermissionMixin,
)
from oms.tables import ActiveColumn, BaseTable
from shipping import pickup
from shipping.choices import ShipmentStatus
from shipping.models import PickupPoint, PickupPointKind, Shipment
from shipping.selectors import shipments_visible_to
from shipping.slot_views import visible_order_or_404
from shipping.views import get_shipment_or_404

# Pickup points ------------------------------------------------------------------------------


class PickupPointFilterSet(SearchFilterSet):
    search_fields = ("name", "city", "address")
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=PickupPointKind.choices)
    active = django_filters.BooleanFilter(label=gettext_lazy("Active"))

    class Meta:
        model = PickupPoint
        fields = ["q", "kind", "active"]


class PickupPointTable(BaseTable):
    name = tables.Column(linkify=True)
    kind = tables.Column()
    warehouse = tables.Column(
        accessor="warehouse__code",
        verbose_name=gettext_lazy("Warehouse"),
        order_by=("warehouse__code",),
    )
    city = tables.Column(attrs={"td": {"class": "text-nowrap"}})
    address = tables.Column()
    opening_hours = tables.Column()
    waiting = tables.Column(
        verbose_name=gettext_lazy("Parcels waiting"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = PickupPoint
        fields = (
            "name",
            "kind",
            "warehouse",
            "city",
            "address",
            "opening_hours",
            "waiting",
            "active",
        )
        empty_text = gettext_lazy("No pickup points match these filters.")


class PickupPointListView(ObjectListView):
    permission_required = "shipping.view_pickuppoint"
    filterset_class = PickupPointFilterSet
    table_class = PickupPointTable
    title = gettext_lazy("Pickup points")
    export_name = "pickup-points"
    actions = [
        (
            gettext_lazy("New pickup point"),
            "shipping:pickup_point_create",
            "shipping.add_pickuppoint",
            "plus-lg",
        ),
        (
            gettext_lazy("Pickup desk"),
            "shipping:pickup_desk",
            pickup.HAND_OVER_PERMISSION,
            "upc-scan",
        ),
    ]

    def get_queryset(self):
        return PickupPoint.objects.select_related("warehouse").annotate(
            waiting=Count("shipments", filter=Q(shipments__status=ShipmentStatus.READY_FOR_PICKUP))
        )

    def get_summary(self, queryset):
        return _(
            "Customers collect their orders here instead of a carrier delivering them; the "
            "pickup code they receive hands the parcel over."
        )


class PickupPointForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = PickupPoint
        fields = list(pickup.POINT_FIELDS)


class PickupPointEditView(ObjectEditView):
    permission_required = "shipping.change_pickuppoint"
    form_class = PickupPointForm
    title = gettext_lazy("Pickup point")
    model = PickupPoint
    list_url_name = "shipping:pickup_point_list"

    def save(self, form):
        return pickup.pickup_point_save(
            actor=self.request.user, point=self.object, data=form.cleaned_data
        )

    def get_success_url(self, obj):
        return reverse("shipping:pickup_point_list")


class PickupPointCreateView(PickupPointEditView):
    permission_required = "shipping.add_pickuppoint"
    title = gettext_lazy("New pickup point")


# An order's pickup ----------------------------------------------------------------------------


class OrderPickupView(ObjectActionView):
    """Collected at a pickup point (point = its id), or delivered by a carrier (point empty)."""

    permission_required = "shipping.arrange_delivery"

    def get_redirect_url(self, request, **kwargs):
        return reverse("orders:detail", args=[kwargs["number"]])

    def perform(self, request, **kwargs):
        order = visible_order_or_404(request.user, kwargs["number"])
        raw = request.POST.get("point", "").strip()
        point = None
        if raw:
            if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
                raise ValidationError(_("Choose a pickup point."))
            point = PickupPoint.objects.filter(pk=int(raw)).first()
            if point is None:
                raise ValidationError(_("Choose a pickup point."))
        pickup.order_pickup_set(actor=request.user, order=order, point=point)
        if point is None:
            return _("%(number)s is delivered by a carrier.") % {"number": order.number}
        return _("%(number)s is collected at %(point)s.") % {
            "number": order.number,
            "point": point.name,
        }


# The pickup desk ------------------------------------------------------------------------------


class PickupDeskForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Pickup code"), max_length=40)


class PickupDeskView(RequirePermissionMixin, View):
    """One pickup point's counter: the code typed or scanned, then Enter, hands the parcel
    over. The page lists what waits there."""

    permission_required = pickup.HAND_OVER_PERMISSION
    template_name = "shipping/pickup_desk.html"

    def point(self, request) -> PickupPoint | None:
        raw = (request.POST.get("point") or request.GET.get("point") or "").strip()
        points = PickupPoint.objects.filter(active=True)
        if raw.isascii() and raw.isdigit() and len(raw) < 10:
            return points.filter(pk=int(raw)).first()
        return points.order_by("name").first() if points.count() == 1 else None

    def render_page(self, request, point, *, handover=None, error="", status=200):
        waiting = (
            Shipment.objects.filter(pickup_point=point, status=ShipmentStatus.READY_FOR_PICKUP)
            .select_related("order__customer")
            .order_by("packed_at", "id")
            if point is not None
            else []
        )
        return render(
            request,
            self.template_name,
            {
                "title": _("Pickup desk"),
                "point": point,
                "points": PickupPoint.objects.filter(active=True).order_by("name"),
                "waiting": waiting,
                "handover": handover,
                "error": error,
            },
            status=status,
        )

    def get(self, request):
        point = self.point(request)
        return self.render_page(request, point, handover=handed_over(request, point))

    def post(self, request):
        point = self.point(request)
        if point is None:
            return self.render_page(
                request, None, error=_("Choose the pickup point first."), status=422
            )
        form = PickupDeskForm(request.POST)
        if not form.is_valid():
            return self.render_page(
                request, point, error=_("Type or scan the customer's pickup code."), status=422
            )
        try:
            done = pickup.pickup_hand_over(
                actor=request.user, point=point, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            return self.render_page(request, point, error=" ".join(exc.messages), status=422)
        except pickup.PickupThrottled as exc:
            return self.render_page(request, point, error=str(exc), status=429)
        except ServiceError as exc:
            return self.render_page(request, point, error=str(exc), status=422)
        shipment = done.shipment
        messages.success(
            request,
            _("Hand over %(number)s (order %(order)s) to %(customer)s.")
            % {
                "number": shipment.number,
                "order": shipment.order.number,
                "customer": shipment.order.customer.name,
            },
        )
        return HttpResponseRedirect(
            reverse("shipping:pickup_desk") + f"?point={point.pk}&done={shipment.number}"
        )


class PickupCodeResendView(ObjectActionView):
    permission_required = pickup.HAND_OVER_PERMISSION

    def get_redirect_url(self, request, **kwargs):
        return reverse("shipping:detail", args=[kwargs["number"]])

    def perform(self, request, **kwargs):
        shipment = get_shipment_or_404(request.user, kwargs["number"])
        pickup.pickup_code_resend(actor=request.user, shipment=shipment)
        return _("A new pickup code for %(number)s is on its way to the customer.") % {
            "number": shipment.number
        }


def handed_over(request, point: PickupPoint | None) -> Shipment | None:
    """The parcel just handed over (the desk shows its goods once more)."""
    number = request.GET.get("done", "")[:20]
    if not number or point is None:
        return None
    return (
        shipments_visible_to(request.user)
        .filter(number=number, pickup_point=point, status=ShipmentStatus.DELIVERED)
        .select_related("order__customer")
        .prefetch_related("lines__product")
        .first()
    )
