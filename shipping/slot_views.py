"""Delivery slot pages: the week patterns (list, new, edit), choosing an order's slot, and the
dispatcher's plan of a warehouse's day (slots with booked / capacity and their shipments,
printable), with closing or opening the day and changing a slot's capacity."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import django_filters
import django_tables2 as tables
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from inventory.models import Warehouse
from oms.filters import SearchFilterSet
from oms.forms import BootstrapFormMixin, date_input
from oms.generic import (
    DocumentView,
    ObjectActionView,
    ObjectEditView,
    ObjectListView,
    RequirePermissionMixin,
)
from oms.tables import ActiveColumn, BaseTable
from orders.choices import OPEN_STATUSES
from orders.selectors import orders_visible_to
from shipping import slots
from shipping.models import (
    WEEKDAYS,
    DeliveryDay,
    OrderPickup,
    PickupPoint,
    Shipment,
    SlotBooking,
    SlotPattern,
)

# Week patterns ------------------------------------------------------------------------------


class SlotPatternFilterSet(SearchFilterSet):
    warehouse = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Warehouse"), queryset=Warehouse.objects.order_by("code")
    )
    weekday = django_filters.ChoiceFilter(label=gettext_lazy("Weekday"), choices=WEEKDAYS)
    active = django_filters.BooleanFilter(label=gettext_lazy("Active"))

    class Meta:
        model = SlotPattern
        fields = ["warehouse", "weekday", "active"]


class SlotPatternTable(BaseTable):
    warehouse = tables.Column(
        accessor="warehouse__code",
        verbose_name=gettext_lazy("Warehouse"),
        order_by=("warehouse__code",),
    )
    weekday = tables.Column(linkify=lambda record: record.get_absolute_url())
    starts = tables.Column()
    ends = tables.Column()
    capacity = tables.Column(attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = SlotPattern
        fields = ("warehouse", "weekday", "starts", "ends", "capacity", "active")
        order_by = ("warehouse", "weekday", "starts")
        empty_text = gettext_lazy("No slot patterns match these filters.")

    def render_starts(self, value):
        return f"{value:%H:%M}"

    def render_ends(self, value):
        return f"{value:%H:%M}"


class SlotPatternListView(ObjectListView):
    permission_required = "shipping.view_slotpattern"
    filterset_class = SlotPatternFilterSet
    table_class = SlotPatternTable
    title = gettext_lazy("Delivery slot patterns")
    export_name = "slot-patterns"
    actions = [
        (
            gettext_lazy("New slot"),
            "shipping:slot_pattern_create",
            slots.PLAN_PERMISSION,
            "plus-lg",
        ),
        (
            gettext_lazy("Dispatch plan"),
            "shipping:dispatch_plan",
            "shipping.view_deliveryslot",
            "calendar3",
        ),
    ]

    def get_queryset(self):
        return SlotPattern.objects.select_related("warehouse")

    def get_summary(self, queryset):
        return _(
            "Each working day of a weekday offers these delivery slots with their capacity; "
            "days off offer none unless opened on the dispatch plan."
        )


class SlotPatternForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = SlotPattern
        fields = ["warehouse", "weekday", "starts", "ends", "capacity", "active"]
        widgets = {
            "starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True).order_by(
            "code"
        )
        self.fields["capacity"].max_value = slots.MAX_CAPACITY
        self.fields["capacity"].widget.attrs["max"] = slots.MAX_CAPACITY

    def validate_unique(self):
        """The service checks clashes with a message of its own."""


class SlotPatternEditView(ObjectEditView):
    permission_required = slots.PLAN_PERMISSION
    form_class = SlotPatternForm
    title = gettext_lazy("Delivery slot")
    model = SlotPattern
    list_url_name = "shipping:slot_pattern_list"

    def save(self, form):
        return slots.slot_pattern_save(
            actor=self.request.user, pattern=self.object, data=form.cleaned_data
        )

    def get_success_url(self, obj):
        return reverse("shipping:slot_pattern_list") + f"?warehouse={obj.warehouse_id}"


class SlotPatternCreateView(SlotPatternEditView):
    title = gettext_lazy("New delivery slot")


# An order's slot ------------------------------------------------------------------------------


def visible_order_or_404(user, number: str):
    order = orders_visible_to(user).select_related("customer").filter(number=number).first()
    if order is None:
        raise Http404
    return order


class OrderSlotView(RequirePermissionMixin, TemplateView):
    """Choose the order's delivery slot at each warehouse it still ships from: the coming
    two weeks' slots, full ones shown but not offered."""

    permission_required = slots.ARRANGE_PERMISSION
    template_name = "shipping/order_slot.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = visible_order_or_404(self.request.user, self.kwargs["number"])
        bookings = {b.warehouse_id: b for b in slots.order_bookings(order.pk)}
        groups = []
        for warehouse in slots.order_warehouses(order):
            days: dict[date, list] = {}
            for offer in slots.bookable_slots(warehouse.pk):
                days.setdefault(offer.date, []).append(offer)
            booking = bookings.get(warehouse.pk)
            groups.append(
                {
                    "warehouse": warehouse,
                    "booking": booking,
                    "booked_key": f"{booking.slot.date.isoformat()}T{booking.slot.starts:%H:%M}"
                    if booking
                    else "",
                    "days": sorted(days.items()),
                }
            )
        context.update(
            {
                "order": order,
                "groups": groups,
                "title": _("Delivery slot for %(number)s") % {"number": order.number},
                "is_pickup": OrderPickup.objects.filter(order=order).exists(),
            }
        )
        return context


class OrderSlotBookView(ObjectActionView):
    permission_required = slots.ARRANGE_PERMISSION

    def get_redirect_url(self, request, **kwargs):
        return reverse("orders:detail", args=[kwargs["number"]])

    def perform(self, request, **kwargs):
        order = visible_order_or_404(request.user, kwargs["number"])
        warehouse = _warehouse(request.POST.get("warehouse"))
        day, starts = slots.parse_slot_key(request.POST.get("slot", ""))
        booking = slots.slot_book(
            actor=request.user, order=order, warehouse=warehouse, day=day, starts=starts
        )
        return _("%(number)s is booked for %(date)s %(slot)s from %(warehouse)s.") % {
            "number": order.number,
            "date": booking.slot.date.isoformat(),
            "slot": booking.slot.label,
            "warehouse": warehouse.code,
        }


class OrderSlotReleaseView(OrderSlotBookView):
    def perform(self, request, **kwargs):
        order = visible_order_or_404(request.user, kwargs["number"])
        warehouse = _warehouse(request.POST.get("warehouse"))
        if not slots.slot_release(actor=request.user, order=order, warehouse=warehouse):
            raise ValidationError(_("The order has no slot booked there."))
        return _("The delivery slot of %(number)s is cancelled; its place is free again.") % {
            "number": order.number
        }


def _warehouse(value) -> Warehouse:
    value = str(value or "")
    warehouse = (
        Warehouse.objects.filter(pk=int(value)).first()
        if value.isascii() and value.isdigit() and len(value) < 10
        else None
    )
    if warehouse is None:
        raise ValidationError(_("Choose a warehouse."))
    return warehouse


def order_delivery_panel(request, order) -> dict | None:
    """The order page's delivery card: its slot per warehouse, or its pickup point."""
    bookings = list(slots.order_bookings(order.pk))
    pickup = OrderPickup.objects.filter(order=order).select_related("point").first()
    open_ = order.status in OPEN_STATUSES
    if not bookings and pickup is None and not open_:
        return None
    may_arrange = request.user.has_perm(slots.ARRANGE_PERMISSION)
    return {
        "order": order,
        "bookings": bookings,
        "pickup": pickup,
        "can_arrange": open_ and may_arrange,
        "points": PickupPoint.objects.filter(active=True).order_by("name")
        if open_ and may_arrange
        else [],
    }


# The dispatch plan --------------------------------------------------------------------------


class PlanForm(BootstrapFormMixin, forms.Form):
    warehouse = forms.ModelChoiceField(
        label=gettext_lazy("Warehouse"),
        queryset=Warehouse.objects.filter(is_active=True).order_by("code"),
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=date_input())

    def clean_date(self):
        value = self.cleaned_data["date"]
        if abs((value - timezone.localdate()).days) > 3660:
            raise ValidationError(_("Choose a date within ten years."))
        return value


@dataclass
class PlanSlot:
    offer: slots.SlotOffer
    shipments: list = field(default_factory=list)
    orders: list = field(default_factory=list)  # booked orders without a shipment yet


def plan_context(warehouse: Warehouse, day: date) -> dict:
    """What the dispatch plan shows: the day's slots, each with its booked orders' shipments
    (and orders not yet in a shipment)."""
    offers = slots.day_slots(warehouse.pk, day)
    by_start = {o.starts: PlanSlot(o) for o in offers}
    bookings = list(
        SlotBooking.objects.filter(warehouse=warehouse, slot__date=day)
        .select_related("slot", "order__customer")
        .order_by("slot__starts", "order__number")
    )
    shipments: dict[int, list[Shipment]] = {}
    for shipment in (
        Shipment.objects.filter(
            warehouse=warehouse,
            order_id__in=[b.order_id for b in bookings],
        )
        .exclude(status="cancelled")
        .order_by("number")
    ):
        shipments.setdefault(shipment.order_id, []).append(shipment)
    for booking in bookings:
        plan_slot = by_start.get(booking.slot.starts)
        if plan_slot is None:
            continue
        found = shipments.get(booking.order_id)
        if found:
            plan_slot.shipments.extend((s, booking.order) for s in found)
        else:
            plan_slot.orders.append(booking.order)
    record = DeliveryDay.objects.filter(warehouse=warehouse, date=day).first()
    return {
        "warehouse": warehouse,
        "day": day,
        "plan": list(by_start.values()),
        "day_record": record,
        "booked": sum(o.booked for o in offers),
        "capacity": sum(o.capacity for o in offers),
        "is_past": day < timezone.localdate(),
    }


def plan_form(request) -> PlanForm:
    """The plan's warehouse and day from the query, else today at the first warehouse."""
    initial: dict = {"date": timezone.localdate()}
    first = Warehouse.objects.filter(is_active=True).order_by("code").first()
    if first is not None:
        initial["warehouse"] = first.pk
    return PlanForm(request.GET or initial)


class DispatchPlanView(RequirePermissionMixin, TemplateView):
    permission_required = "shipping.view_deliveryslot"
    template_name = "shipping/dispatch_plan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = plan_form(self.request)
        context.update({"form": form, "title": _("Dispatch plan")})
        if form.is_valid():
            data = form.cleaned_data
            context.update(plan_context(data["warehouse"], data["date"]))
            query = f"warehouse={data['warehouse'].pk}&date={data['date'].isoformat()}"
            context["print_url"] = reverse("shipping:dispatch_plan_print") + "?" + query
            context["prev_url"] = (
                f"?warehouse={data['warehouse'].pk}&date={(data['date'] - timedelta(days=1)).isoformat()}"
            )
            context["next_url"] = (
                f"?warehouse={data['warehouse'].pk}&date={(data['date'] + timedelta(days=1)).isoformat()}"
            )
            context["can_plan"] = self.request.user.has_perm(slots.PLAN_PERMISSION)
        return context


class DispatchPlanPrintView(DocumentView):
    permission_required = "shipping.view_deliveryslot"
    template_name = "shipping/documents/dispatch_plan.html"

    def get_object(self):
        form = plan_form(self.request)
        if not form.is_valid():
            raise Http404
        return form.cleaned_data

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.object
        context.update(plan_context(data["warehouse"], data["date"]))
        context.update(
            {
                "title": _("Dispatch plan"),
                "document_number": f"DP-{data['warehouse'].code}-{data['date']:%Y%m%d}",
                "printed_at": timezone.localtime(),
                "back_url": reverse("shipping:dispatch_plan")
                + f"?warehouse={data['warehouse'].pk}&date={data['date'].isoformat()}",
            }
        )
        return context


class PlanDayForm(forms.Form):
    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.all())
    date = forms.DateField()
    note = forms.CharField(required=False, max_length=200)

    def clean_date(self):
        # Far dates (9999-12-31) would overflow the day after when the slots are worked out.
        value = self.cleaned_data["date"]
        if abs((value - timezone.localdate()).days) > 3660:
            raise ValidationError(_("Choose a date within ten years."))
        return value


class PlanActionView(ObjectActionView):
    permission_required = slots.PLAN_PERMISSION

    def form(self, request) -> PlanDayForm:
        form = PlanDayForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a warehouse and a date."))
        self.day = form.cleaned_data
        return form

    def get_redirect_url(self, request, **kwargs):
        day = getattr(self, "day", None)
        if day is None:
            return reverse("shipping:dispatch_plan")
        return (
            reverse("shipping:dispatch_plan")
            + f"?warehouse={day['warehouse'].pk}&date={day['date'].isoformat()}"
        )


class DeliveryDayCloseView(PlanActionView):
    closed = True

    def perform(self, request, **kwargs):
        data = self.form(request).cleaned_data
        slots.delivery_day_set(
            actor=request.user,
            warehouse=data["warehouse"],
            day=data["date"],
            closed=self.closed,
            note=data["note"],
        )
        if self.closed:
            return _("%(date)s is closed for deliveries.") % {"date": data["date"].isoformat()}
        return _("%(date)s is open for deliveries.") % {"date": data["date"].isoformat()}


class DeliveryDayOpenView(DeliveryDayCloseView):
    closed = False


class SlotCapacityView(PlanActionView):
    def perform(self, request, **kwargs):
        data = self.form(request).cleaned_data
        _day, starts = slots.parse_slot_key(request.POST.get("slot", ""))
        raw = request.POST.get("capacity", "").strip()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 6):
            raise ValidationError(
                _("Enter a capacity between 0 and %(max)s.") % {"max": slots.MAX_CAPACITY}
            )
        slot = slots.delivery_slot_capacity_set(
            actor=request.user,
            warehouse=data["warehouse"],
            day=data["date"],
            starts=starts,
            capacity=int(raw),
        )
        return _("%(slot)s now takes %(capacity)s orders.") % {
            "slot": slot.label,
            "capacity": slot.capacity,
        }
