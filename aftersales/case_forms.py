"""Forms of the complaint pages: a new case, and the small forms on a case's page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftersales.case_selectors import case_workers
from aftersales.models import CaseCategory, CaseEventKind, CasePriority, CaseStatus
from customers.selectors import customers_visible_to
from inventory.models import Product
from oms.forms import BootstrapFormMixin
from oms.types import AnyUser
from orders.forms import CustomerByCodeField
from orders.selectors import orders_visible_to
from shipping.models import Shipment


def _assignee_field() -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=_("Assignee"), queryset=case_workers(), required=False, empty_label=_("Nobody yet")
    )
    field.label_from_instance = lambda user: user.get_full_name() or user.get_username()
    return field


class CaseForm(BootstrapFormMixin, forms.Form):
    customer = CustomerByCodeField(help_text=_("The customer's code."))
    order = forms.CharField(
        label=_("Order"), max_length=20, required=False, help_text=_("SO-2026-000123")
    )
    shipment = forms.CharField(label=_("Shipment"), max_length=20, required=False)
    product = forms.CharField(label=_("Product (SKU)"), max_length=40, required=False)
    lot = forms.CharField(label=_("Lot / batch"), max_length=60, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=CaseCategory.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=CasePriority.choices, initial=CasePriority.NORMAL
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("What the customer says"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, user: AnyUser, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["customer"].widget.attrs.pop("list", None)
        self.fields["customer"].queryset = customers_visible_to(user)
        if user.has_perm("aftersales.change_case"):
            self.fields["assignee"] = _assignee_field()
            self.fields["assignee"].widget.attrs["class"] = "form-select"

    def clean_order(self):
        number = self.cleaned_data["order"].strip().upper()
        if not number:
            return None
        order = orders_visible_to(self.user).filter(number=number).first()
        if order is None:
            raise forms.ValidationError(
                _("No order has the number %(number)s."), params={"number": number}
            )
        return order

    def clean_shipment(self):
        number = self.cleaned_data["shipment"].strip().upper()
        if not number:
            return None
        shipment = (
            Shipment.objects.filter(number=number, order__in=orders_visible_to(self.user))
            .select_related("order")
            .first()
        )
        if shipment is None:
            raise forms.ValidationError(
                _("No shipment has the number %(number)s."), params={"number": number}
            )
        return shipment

    def clean_product(self):
        sku = self.cleaned_data["product"].strip()
        if not sku:
            return None
        product = Product.objects.filter(sku__iexact=sku).first()
        if product is None:
            raise forms.ValidationError(_("No product has the SKU %(sku)s."), params={"sku": sku})
        return product


class CaseNoteForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (CaseEventKind.NOTE, _("Staff note")),
            (CaseEventKind.CUSTOMER, _("Customer's message")),
        ],
        initial=CaseEventKind.NOTE,
    )
    body = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseStatusForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    note = forms.CharField(label=_("Why (optional)"), max_length=500, required=False)


class CaseAssignForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = _assignee_field()
        self.fields["assignee"].widget.attrs["class"] = "form-select form-select-sm"


class CaseAttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, PNG, JPEG or GIF, up to %(size)s MB.") % {
            "size": settings.OMS_CASE_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        }


class RecallForm(BootstrapFormMixin, forms.Form):
    lot = forms.CharField(label=_("Lot / batch"), max_length=60)
    category = forms.ChoiceField(
        label=_("Category"), choices=CaseCategory.choices, initial=CaseCategory.DEFECTIVE
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=CasePriority.choices, initial=CasePriority.HIGH
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
