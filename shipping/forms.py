from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inventory.models import Warehouse
from oms.csv_upload import upload_text
from oms.forms import BootstrapFormMixin, date_input
from orders.intake.platform_carriers import ID_KINDS, PLATFORM_ID, ids_of_carrier
from shipping.attention import Redispatch
from shipping.carrier_services import (
    CARRIER_FIELDS,
    CARRIER_SECRETS,
    MAX_RATE_FILE_BYTES,
    REASON_LENGTH,
    SERVICE_FIELDS,
)
from shipping.choices import ServiceLevel, TrackingKind
from shipping.delivery_filters import slot_time_choices
from shipping.models import Carrier, CarrierService, Shipment
from shipping.selectors import WAVE_STATUSES
from shipping.services import MAX_PARCELS, DispatchDetails
from shipping.tracking.services import MANUAL_STATUSES, NOTE_LENGTH, PLACE_LENGTH
from shipping.tracking.statuses import TrackingStatus


def _measure(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_digits=7, decimal_places=1
    )


def _money(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=0, max_digits=14, decimal_places=2)


class DispatchForm(BootstrapFormMixin, forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    service = forms.ChoiceField(
        label=_("Service"), choices=ServiceLevel.choices, initial=ServiceLevel.STANDARD
    )
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)
    parcels = forms.IntegerField(label=_("Parcels"), min_value=1, max_value=MAX_PARCELS, initial=1)
    weight_kg = forms.DecimalField(
        label=_("Weight (kg)"), required=False, min_value=0, max_digits=9, decimal_places=3
    )
    length_cm = _measure(_("Length (cm)"))
    width_cm = _measure(_("Width (cm)"))
    height_cm = _measure(_("Height (cm)"))
    declared_value = _money(_("Declared value"))
    cod_amount = _money(_("Cash on delivery"))
    expected_delivery_date = forms.DateField(
        label=_("Expected delivery"), required=False, widget=date_input()
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def details(self) -> DispatchDetails:
        data = self.cleaned_data
        return DispatchDetails(
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            service=data["service"],
            parcels=data["parcels"],
            weight_kg=data["weight_kg"],
            length_cm=data["length_cm"],
            width_cm=data["width_cm"],
            height_cm=data["height_cm"],
            declared_value=data["declared_value"] or Decimal(0),
            cod_amount=data["cod_amount"] or Decimal(0),
            expected_delivery_date=data["expected_delivery_date"],
            note=data["note"],
        )


class ProgressForm(BootstrapFormMixin, forms.Form):
    """The carrier's news typed in by staff (the manual tracking adapter)."""

    status = forms.ChoiceField(
        label=_("What happened"),
        choices=[(s.value, s.label) for s in MANUAL_STATUSES],
        initial=TrackingStatus.IN_TRANSIT,
        error_messages={
            "required": _("Choose what the carrier reported."),
            "invalid_choice": _("Choose what the carrier reported."),
        },
    )
    event_time = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
        help_text=_("Empty: now."),
    )
    place = forms.CharField(label=_("Where"), required=False, max_length=PLACE_LENGTH)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_LENGTH,
        help_text=_("Required for a problem, a failed attempt or a cancelled waybill."),
    )


# One wave's pick list covers at most this many shipments (a trolley's round, not a day).
MAX_WAVE = 500


class WaveForm(BootstrapFormMixin, forms.Form):
    """Which shipments a wave takes: a warehouse's, the most urgent first."""

    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.filter(is_active=True).order_by("code")
    )
    min_priority = forms.IntegerField(
        label=_("Priority at least"), required=False, min_value=-100_000, max_value=100_000
    )
    due_by = forms.DateField(label=_("Due by"), required=False, widget=date_input())
    slot_date = forms.DateField(label=_("Delivery slot date"), required=False, widget=date_input())
    slot = forms.ChoiceField(label=_("Delivery slot"), required=False, choices=[])
    limit = forms.IntegerField(
        label=_("Shipments"), min_value=1, max_value=MAX_WAVE, initial=50, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [("", "---------"), *slot_time_choices()]


def wave_shipments(numbers: list[str]) -> list[Shipment]:
    """The shipments a wave pick list was asked for, checked: known, not yet packed, and all in
    one warehouse (bins are a warehouse's). Refused with a message the user can act on."""
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    if not numbers:
        raise ValidationError(_("Choose the shipments to pick."))
    if len(numbers) > MAX_WAVE:
        raise ValidationError(
            _("A wave picks at most %(max)s shipments; choose fewer."), params={"max": MAX_WAVE}
        )
    shipments = list(
        Shipment.objects.select_related("warehouse").filter(number__in=numbers).order_by("id")
    )
    missing = set(numbers) - {s.number for s in shipments}
    if missing:
        raise ValidationError(
            _("No shipment has the number %(numbers)s."),
            params={"numbers": ", ".join(sorted(missing)[:5])},
        )
    done = [s.number for s in shipments if s.status not in WAVE_STATUSES]
    if done:
        raise ValidationError(
            _("%(numbers)s no longer needs picking."), params={"numbers": ", ".join(done[:5])}
        )
    if len({s.warehouse_id for s in shipments}) > 1:
        raise ValidationError(_("A wave picks in one warehouse; choose shipments of one."))
    return shipments


class CarrierForm(BootstrapFormMixin, forms.ModelForm):
    # Credentials are never sent back to the browser: empty keeps the stored one.
    tracking_key = forms.CharField(
        label=_("Tracking API key"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored key."),
    )
    tracking_secret = forms.CharField(
        label=_("Callback signing secret"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Kuaidi100: the salt of subscriptions; JSON webhook: the HMAC key. Leave empty to "
            "keep the stored one."
        ),
    )

    class Meta:
        model = Carrier
        fields = [*CARRIER_FIELDS, *CARRIER_SECRETS]
        help_texts = {"code": _("Short code in letters and digits, e.g. SF.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CARRIER_SECRETS:
            # The model form would put the stored value back into an empty field.
            self.initial[name] = ""
        self.fields["tracking_rate_limit"].required = False
        # The ids JD and Pinduoduo know this carrier by (orders keeps them, by carrier code):
        # their ship confirmations name the carrier by it.
        stored = ids_of_carrier(self.instance.code) if self.instance.pk else {}
        for kind, label in ID_KINDS.items():
            name = f"{kind}_id"
            self.fields[name] = forms.RegexField(
                label=label,
                regex=PLATFORM_ID,
                required=False,
                max_length=12,
                error_messages={"invalid": _("Give the platform's id: digits only, at most 12.")},
                help_text=_("Empty: shipments with this carrier are not confirmed there."),
            )
            self.initial[name] = stored.get(kind, "")
            self.fields[name].widget.attrs.update(self.fields["code"].widget.attrs)
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean_tracking_rate_limit(self) -> int:
        return self.cleaned_data.get("tracking_rate_limit") or self.instance.tracking_rate_limit

    def clean(self):
        data = super().clean()
        kind = data.get("tracking_kind")
        stored = self.instance

        def missing(name: str) -> bool:
            return not data.get(name) and not getattr(stored, name, "")

        needed = {
            TrackingKind.KUAIDI100: (
                "tracking_endpoint",
                "tracking_customer",
                "tracking_key",
                "tracking_secret",
            ),
            TrackingKind.WEBHOOK: ("tracking_secret",),
        }.get(kind, ())
        for name in needed:
            if missing(name):
                self.add_error(name, _("This tracking integration needs it."))
        return data


class CarrierServiceForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = CarrierService
        fields = list(SERVICE_FIELDS)
        help_texts = {
            "volumetric_divisor": _(
                "Chargeable weight = max(actual, L × W × H in cm / divisor), e.g. 6000."
            ),
        }


class RateImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Rate card (CSV, UTF-8)"),
        help_text=_("One lane per row; nothing is written unless every row is good."),
    )

    def clean_file(self) -> str:
        return upload_text(self.cleaned_data["file"], MAX_RATE_FILE_BYTES)


class CarrierOverrideForm(forms.Form):
    service = forms.IntegerField(min_value=1)
    reason = forms.CharField(max_length=REASON_LENGTH)


class ContactForm(forms.Form):
    note = forms.CharField(label=_("Whom you contacted and what came of it"), max_length=2000)


class ReturnNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class RedispatchForm(BootstrapFormMixin, forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("New tracking number"), max_length=40)
    expected_delivery_date = forms.DateField(
        label=_("Expected delivery"), required=False, widget=date_input()
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def details(self) -> Redispatch:
        data = self.cleaned_data
        return Redispatch(
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            expected_delivery_date=data["expected_delivery_date"],
            note=data["note"],
        )
