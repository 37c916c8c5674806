from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Address, Customer
from inventory.forms import ProductBySkuField
from oms.forms import BootstrapFormMixin, QuantityField, date_input
from orders.choices import Channel
from orders.models import ApprovalRule
from orders.services.shared import MAX_LINE_QUANTITY

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
    quantity = QuantityField(initial=1, max_value=MAX_LINE_QUANTITY)
    discount_percent = forms.DecimalField(**DISCOUNT)

    def clean_discount_percent(self):
        return self.cleaned_data.get("discount_percent") or Decimal(0)


def line_no_field() -> forms.IntegerField:
    """The number of a line of the order, posted by the page (hidden)."""
    no_such_line = _("The order has no such line; reload the page.")
    return forms.IntegerField(
        label=_("Line"),
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": no_such_line,
            "invalid": no_such_line,
            "min_value": no_such_line,
        },
    )


class LineUpdateForm(BootstrapFormMixin, forms.Form):
    line_no = line_no_field()
    quantity = QuantityField(max_value=MAX_LINE_QUANTITY)
    discount_percent = forms.DecimalField(**DISCOUNT)

    def clean_discount_percent(self):
        return self.cleaned_data.get("discount_percent") or Decimal(0)


class LineRemoveForm(forms.Form):
    line_no = line_no_field()


class AmendLineForm(forms.Form):
    """The new quantity of one line of a confirmed order; 0 removes the line."""

    whole_number = _("Enter a whole number of 0 or more.")
    line_no = line_no_field()
    quantity = forms.IntegerField(
        label=_("New quantity"),
        min_value=0,
        max_value=MAX_LINE_QUANTITY,
        error_messages={
            "required": whole_number,
            "invalid": whole_number,
            "min_value": whole_number,
            "max_value": _("Enter a quantity of at most %(limit_value)s."),
        },
    )


class BaseAmendLinesFormSet(forms.BaseFormSet):
    """One form per line of the order, in line order; each form knows its line."""

    def __init__(self, *args, lines, **kwargs):
        self.lines = {line.line_no: line for line in lines}
        initial = [{"line_no": n, "quantity": line.quantity} for n, line in self.lines.items()]
        super().__init__(*args, initial=initial, prefix="lines", **kwargs)
        for form in self.forms:
            try:
                form.line = self.lines.get(int(form["line_no"].value()))
            except (TypeError, ValueError):
                form.line = None

    def clean(self):
        seen = set()
        for form in self.forms:
            line_no = form.cleaned_data.get("line_no")
            if line_no is None:
                continue
            if line_no not in self.lines or line_no in seen:
                raise forms.ValidationError(_("The order has no such line; reload the page."))
            seen.add(line_no)

    def changes(self) -> dict[int, int]:
        """{line_no: new quantity} for the lines whose quantity the user changed."""
        return {
            form.cleaned_data["line_no"]: form.cleaned_data["quantity"]
            for form in self.forms
            if form.cleaned_data["quantity"] != self.lines[form.cleaned_data["line_no"]].quantity
        }


AmendLinesFormSet = forms.formset_factory(
    AmendLineForm, formset=BaseAmendLinesFormSet, extra=0, max_num=1000, validate_max=True
)


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
