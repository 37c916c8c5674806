from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Address, Customer
from inventory.forms import ProductBySkuField
from oms.forms import BootstrapFormMixin, QuantityField, date_input
from orders.choices import Channel
from orders.models import ApprovalRule

DISCOUNT = {
    "label": _("Discount %"),
    "required": False,
    "min_value": Decimal(0),
    "max_value": Decimal(100),
    "decimal_places": 2,
    "max_digits": 5,
    "initial": Decimal(0),
}


class CustomerByCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Customer"))
        kwargs.setdefault(
            "help_text", _("Type the customer's code, name or phone and pick from the list.")
        )
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "off", "list": "customer-options", "autofocus": True}
        )

    def clean(self, value):
        text = super().clean(value).strip()
        code = text.split()[0].upper() if text else ""
        customer = Customer.objects.filter(code=code).first()
        if customer is None:
            raise forms.ValidationError(
                _("No customer has the code %(code)s."), params={"code": code}
            )
        return customer


class OrderStartForm(BootstrapFormMixin, forms.Form):
    customer = CustomerByCodeField()
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, initial=Channel.BACK_OFFICE
    )
    external_reference = forms.CharField(
        label=_("External reference"),
        max_length=64,
        required=False,
        help_text=_("The customer's PO or shop order number."),
    )
    requested_delivery_date = forms.DateField(
        label=_("Requested delivery"),
        required=False,
        widget=date_input(),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OrderHeaderForm(BootstrapFormMixin, forms.Form):
    shipping_address = forms.ModelChoiceField(label=_("Ship to"), queryset=Address.objects.none())
    requested_delivery_date = forms.DateField(
        label=_("Requested delivery"),
        required=False,
        widget=date_input(),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    needs_review = forms.BooleanField(label=_("Flag for review"), required=False)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipping_address"].queryset = order.customer.addresses.all()
        self.fields["shipping_address"].label_from_instance = lambda a: (
            f"{a.recipient} · {a.one_line()}"
        )


class LineAddForm(BootstrapFormMixin, forms.Form):
    product = ProductBySkuField()
    quantity = QuantityField(initial=1, max_value=1_000_000)
    discount_percent = forms.DecimalField(**DISCOUNT)

    def clean_discount_percent(self):
        return self.cleaned_data.get("discount_percent") or Decimal(0)


class LineUpdateForm(BootstrapFormMixin, forms.Form):
    quantity = QuantityField(max_value=1_000_000)
    discount_percent = forms.DecimalField(**DISCOUNT)

    def clean_discount_percent(self):
        return self.cleaned_data.get("discount_percent") or Decimal(0)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=200)


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000)


class BoostForm(forms.Form):
    boost = forms.IntegerField(min_value=-100, max_value=100)
    note = forms.CharField(required=False, max_length=200)


class ApprovalRuleForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ApprovalRule
        fields = ["name", "condition", "threshold", "required_role", "level", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("condition") == "amount_at_least" and not cleaned.get("threshold"):
            self.add_error("threshold", _("Enter the amount from which orders need this approval."))
        return cleaned
