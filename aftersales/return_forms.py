"""Forms of returns: the request (back office and the customer's page share the fields), and
the steps staff take on the return's page."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.models.returns import NOTE_LENGTH, REASON_TEXT_LENGTH
from aftersales.return_choices import Disposition, ReturnReason, WantedResolution
from aftersales.return_selectors import ReturnableLine
from inventory.models import Warehouse
from oms.forms import BootstrapFormMixin
from shipping.models import Carrier

LINE_PREFIX = "line_"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input; each is checked as a photo by the service (Pillow)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in files]


class ReturnRequestForm(BootstrapFormMixin, forms.Form):
    """One quantity per delivered line (at most what may still come back), then why and what
    the customer wants. The service checks everything again under the order's lock."""

    reason = forms.ChoiceField(label=_("Reason"), choices=ReturnReason.choices)
    reason_text = forms.CharField(
        label=_("What is wrong?"),
        required=False,
        max_length=REASON_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for “Other”."),
    )
    resolution = forms.ChoiceField(
        label=_("Wanted resolution"), choices=WantedResolution.choices, widget=forms.RadioSelect
    )
    photos = PhotosField(
        label=_("Photos"),
        required=False,
    )

    def __init__(
        self, *args: Any, lines: list[ReturnableLine], may_override: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Worded per request, in the reader's language.
        self.fields["photos"].help_text = gettext(
            "Up to %(count)s photos (JPEG, PNG or WebP), each at most %(mb)s MB."
        ) % {
            "count": settings.OMS_RETURN_PHOTO_MAX_COUNT,
            "mb": settings.OMS_RETURN_PHOTO_MAX_BYTES // (1024 * 1024),
        }
        self.fields["resolution"].widget.attrs["class"] = "form-check-input"
        self.returnable = [entry for entry in lines if entry.delivered]
        self.line_fields = []
        for entry in self.returnable:
            name = f"{LINE_PREFIX}{entry.order_line.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{entry.order_line.product.sku} {entry.order_line.description}",
                min_value=0,
                max_value=entry.returnable,
                initial=0,
                required=False,
                widget=forms.NumberInput(
                    attrs={"class": "form-control text-end", "inputmode": "numeric"}
                ),
                error_messages={
                    "max_value": _("At most %(limit_value)s can be returned."),
                    "min_value": _("Enter 0 or more."),
                    "invalid": _("Enter a whole number."),
                },
            )
            self.line_fields.append((entry, name))
        if may_override:
            self.fields["override_note"] = forms.CharField(
                label=_("Override note"),
                required=False,
                max_length=NOTE_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                help_text=_(
                    "Only when the request is outside the return rules: why it is accepted "
                    "anyway (kept in the audit log)."
                ),
            )

    def bound_lines(self) -> list[tuple[ReturnableLine, forms.BoundField]]:
        return [(entry, self[name]) for entry, name in self.line_fields]

    def chosen_lines(self) -> dict[int, int]:
        return {
            entry.order_line.pk: self.cleaned_data.get(name) or 0
            for entry, name in self.line_fields
            if self.cleaned_data.get(name)
        }


def _sellable_warehouses() -> Any:
    return Warehouse.objects.filter(is_active=True, is_quarantine=False).order_by("code")


class ApproveForm(BootstrapFormMixin, forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Goods go back to"), queryset=Warehouse.objects.none(), required=False
    )
    instructions = forms.CharField(
        label=_("Return instructions"),
        required=False,
        max_length=REASON_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Empty: the standard instructions with the RMA number and the address."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _sellable_warehouses()


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why is the return refused?"),
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The customer reads this."),
    )


class CancelForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_LENGTH)


class ShipmentForm(BootstrapFormMixin, forms.Form):
    carrier = forms.ModelChoiceField(label=_("Carrier"), queryset=Carrier.objects.none())
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = Carrier.objects.filter(active=True).order_by("name")


class ReceiveForm(BootstrapFormMixin, forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Received at"), queryset=Warehouse.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = _sellable_warehouses()


class InspectForm(BootstrapFormMixin, forms.Form):
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Disposition.choices)
    note = forms.CharField(
        label=_("Inspection note"),
        required=False,
        max_length=NOTE_LENGTH,
        help_text=_("Required for scrap: why the goods are written off."),
    )
    quarantine_warehouse = forms.ModelChoiceField(
        label=_("Quarantine warehouse"),
        queryset=Warehouse.objects.none(),
        required=False,
        help_text=_("Empty: the quarantine area nearest to the receiving warehouse."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarantine_warehouse"].queryset = Warehouse.objects.filter(
            is_active=True, is_quarantine=True
        ).order_by("code")


class OrderLookupForm(BootstrapFormMixin, forms.Form):
    order = forms.CharField(label=_("Order number"), max_length=20)
