from decimal import Decimal
from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import Address, Customer
from customers.selectors import customers_visible_to
from inventory.forms import ProductBySkuField
from inventory.models import Product
from oms.forms import BootstrapFormMixin, QuantityField, date_input
from oms.types import AnyUser
from orders.choices import ChannelCode
from orders.intake.channels import channel_choices
from orders.models import ApprovalRule, PriceList, Promotion, ShippingRule
from orders.services.rules import (
    APPROVAL_RULE_FIELDS,
    PRICE_LIST_FIELDS,
    PROMOTION_FIELDS,
    SHIPPING_RULE_FIELDS,
    Break,
)
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

    # The customers the user may choose (customers_visible_to); the form sets it.
    queryset = Customer.objects.none()

    def clean(self, value):
        text = super().clean(value).strip()
        code = text.split()[0].upper() if text else ""
        customer = self.queryset.filter(code=code).first()
        if customer is None:
            raise forms.ValidationError(
                _("No customer has the code %(code)s."), params={"code": code}
            )
        return customer


def requested_delivery_field() -> forms.DateField:
    return forms.DateField(label=_("Requested delivery"), required=False, widget=date_input())


def order_notes_field() -> forms.CharField:
    return forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OrderStartForm(BootstrapFormMixin, forms.Form):
    customer = CustomerByCodeField()
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=partial(channel_choices, active_only=True),
        initial=ChannelCode.BACK_OFFICE,
    )
    external_reference = forms.CharField(
        label=_("External reference"),
        max_length=64,
        required=False,
        help_text=_("The customer's PO or shop order number."),
    )
    requested_delivery_date = requested_delivery_field()
    notes = order_notes_field()

    def __init__(self, *args, user: AnyUser, **kwargs):
        super().__init__(*args, **kwargs)
        # A customer the user may not see is "no customer with this code", like a typo.
        self.fields["customer"].queryset = customers_visible_to(user)


class OrderHeaderForm(BootstrapFormMixin, forms.Form):
    shipping_address = forms.ModelChoiceField(label=_("Ship to"), queryset=Address.objects.none())
    requested_delivery_date = requested_delivery_field()
    notes = order_notes_field()
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
        """{line_no: new quantity} for the lines whose quantity the user changed (a form past
        the order's lines that was left empty, as a hand-made post may send, says nothing)."""
        filled = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data.get("line_no") is not None and "quantity" in form.cleaned_data
        ]
        return {
            data["line_no"]: data["quantity"]
            for data in filled
            if data["quantity"] != self.lines[data["line_no"]].quantity
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


# ---------------------------------------------------------------- pricing and review rules
# These forms only collect: the rules (amount needs a threshold, dates in order, breaks going
# up) live in the models' clean() and in orders/services/rules.py, which put errors on fields.


def shown_when(field: str, *values: str) -> dict[str, str]:
    """Widget attributes that hide a field unless another field has one of these values."""
    return {"data-show-when": f"{field}={'|'.join(values)}"}


class ApprovalRuleForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ApprovalRule
        fields = APPROVAL_RULE_FIELDS
        widgets = {"threshold": forms.NumberInput(attrs=shown_when("condition", "amount_at_least"))}


class PriceListForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = PriceList
        fields = PRICE_LIST_FIELDS


class OptionalProductBySkuField(ProductBySkuField):
    """A SKU resolved to a product (inactive ones too), or None when left empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.pop("autofocus", None)

    def clean(self, value):
        sku = (value or "").strip().upper()
        if not sku:
            return None
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            raise forms.ValidationError(_("No product has the SKU %(sku)s."), params={"sku": sku})
        return product


class PromotionForm(BootstrapFormMixin, forms.ModelForm):
    product = OptionalProductBySkuField(
        label=_("Product"), help_text=_("Type the SKU and pick from the list.")
    )

    class Meta:
        model = Promotion
        fields = PROMOTION_FIELDS
        widgets = {
            "starts_on": date_input(),
            "ends_on": date_input(),
            "category": forms.Select(attrs=shown_when("scope", "category")),
            "customer_tier": forms.Select(attrs=shown_when("scope", "tier")),
        }
        help_texts = {
            "value": _("Percent off for a percentage, amount off each unit for a fixed amount."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget.attrs.update(shown_when("scope", "product"))
        if self.instance.product_id and not self.is_bound:
            self.initial["product"] = self.instance.product.sku


class ShippingRuleForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ShippingRule
        fields = SHIPPING_RULE_FIELDS
        help_texts = {
            "max_weight_kg": _("Empty: any weight. The lightest band that fits the order wins."),
        }


SMALL_NUMBER = "form-control-sm text-end"  # the form mixin adds form-control


class PriceBreaksForm(BootstrapFormMixin, forms.Form):
    """A product's quantity breaks in a price list: a SKU and rows of (from quantity, price)."""

    MIN_SLOTS = 3
    MAX_SLOTS = 20

    sku = forms.CharField(label=_("SKU"), max_length=40)
    slots = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *args, slots: int | None = None, **kwargs):
        if data is not None:
            try:
                slots = int(data.get("slots") or 0)
            except ValueError:
                slots = 0
        self.slot_count = min(max(slots or 0, self.MIN_SLOTS), self.MAX_SLOTS)
        # The slot fields exist before the form is built, so validation sees them.
        self.base_fields = {**type(self).base_fields, **self.slot_fields(self.slot_count)}
        super().__init__(data, *args, **kwargs)
        self.initial["slots"] = self.slot_count
        self.fields["sku"].widget.attrs.update(
            {"autocomplete": "off", "list": "sku-options", "placeholder": _("SKU")}
        )
        self.fields["sku"].widget.attrs["class"] += " form-control-sm"

    @staticmethod
    def slot_fields(count: int) -> dict[str, forms.Field]:
        fields: dict[str, forms.Field] = {}
        for i in range(count):
            fields[f"min_quantity_{i}"] = forms.IntegerField(
                label=_("From quantity"),
                required=False,
                widget=forms.NumberInput(
                    attrs={"class": SMALL_NUMBER, "placeholder": pgettext_lazy("quantity", "from")}
                ),
            )
            fields[f"unit_price_{i}"] = forms.DecimalField(
                label=_("Unit price"),
                required=False,
                max_digits=14,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={"class": SMALL_NUMBER, "step": "0.01", "placeholder": "0.00"}
                ),
            )
        return fields

    def rows(self):
        """(quantity field, price field) per slot, for the template."""
        return [
            (self[f"min_quantity_{i}"], self[f"unit_price_{i}"]) for i in range(self.slot_count)
        ]

    def breaks(self) -> list[Break]:
        return [
            Break(
                self.cleaned_data.get(f"min_quantity_{i}"), self.cleaned_data.get(f"unit_price_{i}")
            )
            for i in range(self.slot_count)
        ]


class PriceImportForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Prices"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace", "spellcheck": "false"}),
        help_text=_(
            "One line per price: SKU, from quantity, unit price — separated by commas or tabs "
            "(paste straight from a spreadsheet). Each SKU pasted gets exactly the breaks pasted; "
            "other products keep their prices. Nothing changes if any line is wrong."
        ),
    )
