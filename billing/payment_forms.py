"""Finance's payment form: who paid, how much, how, and (optionally) which open invoices."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice, Payment
from billing.payments import RECEIPT_METHODS, REFUND_METHODS, clean_amount, open_invoices
from customers.models import Customer
from customers.selectors import customers_visible_to
from oms.errors import ServiceError
from oms.forms import BootstrapFormMixin, date_input
from oms.tables import format_money
from oms.types import AnyUser
from orders.forms import CustomerByCodeField


class InvoiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Invoice) -> str:
        due = date_format(obj.due_date, "SHORT_DATE_FORMAT") if obj.due_date else "—"
        return str(
            _("%(number)s · due %(due)s · open %(open)s")
            % {"number": obj.number, "due": due, "open": format_money(obj.open_amount)}
        )


def amount_field(label, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PaymentForm(BootstrapFormMixin, forms.Form):
    customer = CustomerByCodeField()
    amount = amount_field(_("Amount"))
    method = forms.ChoiceField(
        label=_("Method"), choices=[(m.value, m.label) for m in RECEIPT_METHODS]
    )
    received_on = forms.DateField(label=_("Received on"), widget=date_input())
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("The bank's or the wallet's transaction number."),
    )
    payer = forms.CharField(label=_("Payer"), max_length=200, required=False)
    fee = amount_field(_("Fee"), required=False)
    invoices = InvoiceChoiceField(
        label=_("Invoices to pay"),
        queryset=Invoice.objects.none(),
        required=False,
        help_text=_("None chosen: the oldest open invoices first. What is left is credit."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user: AnyUser, customer: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = customers_visible_to(user)
        self.fields["customer"].queryset = visible
        self.fields["received_on"].initial = timezone.localdate()
        if customer is None and self.data.get("customer"):
            code = str(self.data["customer"]).strip().split(" ")[0].upper()
            customer = visible.filter(code=code).first()
        if customer is not None:
            self.fields["customer"].initial = f"{customer.code} {customer.name}"
            self.fields["customer"].widget.attrs.pop("autofocus", None)
            self.fields["invoices"].queryset = open_invoices(customer.pk)
        else:
            self.fields["invoices"].help_text = _(
                "Open this form from a customer's invoice to choose invoices; otherwise the "
                "oldest open invoices are paid first."
            )

    def clean_amount(self):
        try:
            return clean_amount(self.cleaned_data["amount"])
        except ServiceError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_fee(self):
        try:
            return clean_amount(self.cleaned_data.get("fee") or 0, allow_zero=True)
        except ServiceError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A payment cannot be received in the future."))
        return day

    def clean(self):
        data = super().clean()
        customer, invoices = data.get("customer"), data.get("invoices")
        if (
            customer is not None
            and invoices
            and any(i.customer_id != customer.pk for i in invoices)
        ):
            self.add_error("invoices", _("Choose invoices of this customer."))
        return data


class RefundForm(BootstrapFormMixin, forms.Form):
    """Finance pays back part or all of what a credit note released, by the method the
    customer paid with or another one; what is not paid back stays the customer's credit."""

    amount = amount_field(_("Amount to refund"))
    method = forms.ChoiceField(label=_("Paid back by"))

    def __init__(self, *args, receipt: Payment | None, refundable: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.refundable = refundable
        self.fields["amount"].initial = refundable
        self.fields["amount"].help_text = _(
            "Up to %(amount)s. What you do not refund stays the customer's credit, usable on "
            "later invoices."
        ) % {"amount": format_money(refundable)}
        original = receipt.method if receipt and receipt.method in REFUND_METHODS else None
        self.fields["method"].choices = [
            (
                m.value,
                _("%(method)s (as paid)") % {"method": m.label} if m == original else m.label,
            )
            for m in REFUND_METHODS
        ]
        self.fields["method"].initial = original or REFUND_METHODS[0].value

    def clean_amount(self):
        try:
            amount = clean_amount(self.cleaned_data["amount"])
        except ServiceError as exc:
            raise forms.ValidationError(str(exc)) from None
        # Checked again under the lock by refund_create; this answers the usual typo at once.
        if self.refundable and amount > self.refundable:
            raise forms.ValidationError(
                _("At most %(amount)s can be refunded.") % {"amount": format_money(self.refundable)}
            )
        return amount
