"""The logistics desk's pages: the exceptions queue and its actions, returned parcels (book
in, send again, close) and a carrier's rate card. Each action is a POST calling one service."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.generic import ObjectListView
from shipping import attention, returns, selectors
from shipping.filters import AttentionFilterSet, RateFilterSet
from shipping.forms import ContactForm, RedispatchForm, ReturnNoteForm
from shipping.tables import AttentionTable, RateTable
from shipping.views import ShipmentActionView


class AttentionListView(ObjectListView):
    permission_required = attention.TRACK_PERMISSION
    filterset_class = AttentionFilterSet
    table_class = AttentionTable
    title = gettext_lazy("Exceptions queue")
    export_name = "shipments-needing-attention"

    def get_queryset(self):
        return attention.attention_list(self.request.user)

    def get_summary(self, queryset):
        return _(
            "Parcels the carrier reported a problem with, delivery attempts that failed, no "
            "news from the carrier for %(days)s working days, past their expected delivery, "
            "and returned parcels to book back in or decide on. Open a shipment to act."
        ) % {"days": settings.OMS_SHIPMENT_QUIET_WORKING_DAYS}


def _form_error(form) -> ValidationError:
    return ValidationError([message for errors in form.errors.values() for message in errors])


class ContactView(ShipmentActionView):
    permission_required = attention.TRACK_PERMISSION

    def perform(self, request, **kwargs):
        form = ContactForm(request.POST)
        if not form.is_valid():
            raise _form_error(form)
        shipment = attention.shipment_record_contact(
            actor=request.user, shipment=self.shipment(kwargs), note=form.cleaned_data["note"]
        )
        return _("Contact recorded on %(number)s.") % {"number": shipment.number}


class RedispatchView(ShipmentActionView):
    permission_required = attention.TRACK_PERMISSION

    def perform(self, request, **kwargs):
        form = RedispatchForm(request.POST)
        if not form.is_valid():
            raise _form_error(form)
        shipment = attention.shipment_redispatch(
            actor=request.user, shipment=self.shipment(kwargs), details=form.details()
        )
        return _("%(number)s is with %(carrier)s again, tracking number %(tracking)s.") % {
            "number": shipment.number,
            "carrier": shipment.carrier,
            "tracking": shipment.tracking_number,
        }


class ReceiveReturnView(ShipmentActionView):
    permission_required = returns.RECEIVE_PERMISSION

    def perform(self, request, **kwargs):
        form = ReturnNoteForm(request.POST)
        if not form.is_valid():
            raise _form_error(form)
        receipt, booked = returns.shipment_receive_return(
            actor=request.user, shipment=self.shipment(kwargs), note=form.cleaned_data["note"]
        )
        if not booked:
            return _("%(number)s was already booked back in; nothing changed.") % {
                "number": receipt.shipment.number
            }
        return _("%(units)s units of %(number)s are back in stock.") % {
            "units": receipt.units,
            "number": receipt.shipment.number,
        }


class ReshipReturnView(ShipmentActionView):
    permission_required = returns.RESOLVE_PERMISSION

    def perform(self, request, **kwargs):
        form = ReturnNoteForm(request.POST)
        if not form.is_valid():
            raise _form_error(form)
        shipment = self.shipment(kwargs)
        new = returns.return_reship(
            actor=request.user, shipment=shipment, note=form.cleaned_data["note"]
        )
        if not new:
            return _(
                "No stock is free for the goods of %(number)s now; they ship as soon as it arrives."
            ) % {"number": shipment.number}
        return _("The goods of %(number)s go out again in %(shipments)s.") % {
            "number": shipment.number,
            "shipments": ", ".join(s.number for s in new),
        }


class CloseReturnView(ShipmentActionView):
    permission_required = returns.RESOLVE_PERMISSION

    def perform(self, request, **kwargs):
        form = ReturnNoteForm(request.POST)
        if not form.is_valid():
            raise _form_error(form)
        receipt = returns.return_close(
            actor=request.user, shipment=self.shipment(kwargs), reason=form.cleaned_data["note"]
        )
        return _("The goods of %(number)s are not sent again; the order's rest is cancelled.") % {
            "number": receipt.shipment.number
        }


class RateListView(ObjectListView):
    """Rate cards, one carrier's or all: every row, filtered and paged (a card of thousands
    of rows stays fast)."""

    permission_required = "shipping.view_carrier"
    filterset_class = RateFilterSet
    table_class = RateTable
    title = gettext_lazy("Rate cards")
    export_name = "rate-cards"

    def get_queryset(self):
        return selectors.rate_rows()

    def get_summary(self, queryset):
        return _("A province's row wins over its zone's row for the same lane.")
