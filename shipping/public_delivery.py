"""The customer's own delivery choices on the order's page, until the goods leave: the
delivery time (a slot, booked through shipping.slots so capacity holds for every booker) and
the delivery note the warehouse and the courier read (orders' service). Both are plain POST
forms (no script), CSRF-protected, written with actor None and audited as the customer's."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.errors import ServiceError
from orders import services as order_services
from orders.choices import OPEN_STATUSES
from orders.models import Order
from orders.services.delivery_note import DELIVERY_NOTE_MAX_LENGTH
from shipping import slots
from shipping.models import OrderPickup
from shipping.public_views import PublicOrderView, render_order_page

SECTION = "delivery"
# The days of slots offered, as on staff's slot page (slots.bookable_slots).
OFFERED_DAYS = 14
TOO_LATE = gettext_lazy(
    "Your order has already been sent, so its delivery time can no longer be changed. "
    "Please contact us if you need help."
)

NOTE_TOO_LATE = gettext_lazy(
    "Your order has already been sent, so the note for the courier can no longer be changed. "
    "Please contact us if you need help."
)


class DeliveryNoteForm(forms.Form):
    delivery_note = forms.CharField(
        label=gettext_lazy("Note for the courier"),
        required=False,
        max_length=DELIVERY_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": DELIVERY_NOTE_MAX_LENGTH}),
        help_text=gettext_lazy("Where to leave the parcel, a gate code, when to call."),
    )


class SlotForm(forms.Form):
    warehouse = forms.CharField(widget=forms.HiddenInput)
    slot = forms.CharField(label=gettext_lazy("Delivery time"))


def _slot_groups(order: Order) -> list[dict[str, Any]]:
    """Per warehouse the order still ships from: the booked slot and the coming days' slots
    (full ones shown, not offered). A customer never sees how many places are left. The same
    few queries however many warehouses (slots_between reads them all at once)."""
    bookings = {b.warehouse_id: b for b in slots.order_bookings(order.pk)}
    warehouses = slots.order_warehouses(order)
    if not warehouses:
        return []
    today = timezone.localdate()
    found = slots.slots_between(
        [w.pk for w in warehouses], today, today + timedelta(days=OFFERED_DAYS - 1)
    )
    now = timezone.localtime()
    groups = []
    for warehouse in warehouses:
        days: dict[date, list] = {}
        for key in sorted(k for k in found if k[0] == warehouse.pk):
            offers = [offer for offer in found[key] if not slots.is_past(offer, now)]
            if offers:
                days[key[1]] = offers
        booking = bookings.get(warehouse.pk)
        groups.append(
            {
                "warehouse_id": warehouse.pk,
                "booking": booking,
                "booked_key": f"{booking.slot.date.isoformat()}T{booking.slot.starts:%H:%M}"
                if booking
                else "",
                "days": sorted(days.items()),
            }
        )
    return groups


def delivery_section(order: Order, request: HttpRequest) -> dict[str, Any] | None:
    """The delivery card: the note for the courier and the delivery time while the order can
    still take them; after dispatch the note is shown, read only."""
    bound = getattr(request, "public_bound_forms", {})
    note_editable = order_services.delivery_note_editable(order)
    takes_slot = order.status in OPEN_STATUSES
    is_pickup = takes_slot and OrderPickup.objects.filter(order=order).exists()
    groups = _slot_groups(order) if takes_slot and not is_pickup else []
    if not note_editable and not order.delivery_note and not groups:
        return None
    return {
        "note_form": bound.get("delivery_note")
        or DeliveryNoteForm(initial={"delivery_note": order.delivery_note}),
        "note_editable": note_editable,
        "delivery_note": order.delivery_note,
        "slot_groups": groups,
        "slot_errors": bound.get("slot"),
        "several": len(groups) > 1,
    }


class DeliveryNoteView(PublicOrderView):
    http_method_names = ["post"]

    def post_order(self, request: HttpRequest, order: Order) -> HttpResponse:
        form = DeliveryNoteForm(request.POST)
        if not order_services.delivery_note_editable(order):
            return render_order_page(request, order, refused=str(NOTE_TOO_LATE), status=400)
        if form.is_valid():
            try:
                order_services.order_set_delivery_note(
                    actor=None,
                    order=order,
                    note=form.cleaned_data["delivery_note"],
                    by_customer=True,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("delivery_note", message)
            else:
                return self.saved(order, SECTION)
        return render_order_page(request, order, bound_forms={"delivery_note": form}, status=400)


class DeliveryTimeView(PublicOrderView):
    http_method_names = ["post"]

    def post_order(self, request: HttpRequest, order: Order) -> HttpResponse:
        errors: list[str] = []
        form = SlotForm(request.POST)
        warehouses = {str(w.pk): w for w in slots.order_warehouses(order)}
        if order.status not in OPEN_STATUSES or not warehouses:
            return render_order_page(request, order, refused=str(TOO_LATE), status=400)
        if not form.is_valid() or form.cleaned_data["warehouse"] not in warehouses:
            errors.append(_("Choose one of the delivery times offered."))
        else:
            try:
                day, starts = slots.parse_slot_key(form.cleaned_data["slot"])
                slots.slot_book(
                    actor=None,
                    order=order,
                    warehouse=warehouses[form.cleaned_data["warehouse"]],
                    day=day,
                    starts=starts,
                    by_customer=True,
                )
            except ValidationError:
                # Staff's words name warehouses and dates as typed; the customer gets one.
                errors.append(_("Choose one of the delivery times offered."))
            except ServiceError:
                # Taken by someone else a moment ago, or the goods left meanwhile.
                order.refresh_from_db(fields=["status"])
                if order.status not in OPEN_STATUSES or form.cleaned_data["warehouse"] not in {
                    str(w.pk) for w in slots.order_warehouses(order)
                }:
                    return render_order_page(request, order, refused=str(TOO_LATE), status=400)
                errors.append(
                    _("This delivery time has just been fully booked. Please choose another.")
                )
            else:
                return self.saved(order, SECTION)
        return render_order_page(request, order, bound_forms={"slot": errors}, status=400)


delivery_note_view = DeliveryNoteView.as_public_view()
delivery_time_view = DeliveryTimeView.as_public_view()
