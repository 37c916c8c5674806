"""Fapiao (VAT invoice) details on the customer: finance's page and service. Billing copies
them onto every invoice it issues."""

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Customer
from customers.selectors import customers_visible_to
from customers.views import CustomerEditView
from oms.forms import BootstrapFormMixin
from oms.services import model_save
from oms.types import User

FAPIAO_PERMISSION = "customers.change_fapiao"
FAPIAO_FIELDS = (
    "fapiao_type",
    "fapiao_title",
    "taxpayer_id",
    "fapiao_address",
    "fapiao_phone",
    "fapiao_bank",
    "fapiao_account",
)


@transaction.atomic
def customer_fapiao_update(*, actor: User, customer: Customer, data: dict[str, Any]) -> Customer:
    """Change the fapiao details (audited). Only holders of change_fapiao may."""
    locked = customers_visible_to(actor).select_for_update().filter(pk=customer.pk).first()
    if locked is None:
        raise PermissionDenied(_("This customer is not one of yours."))
    if isinstance(data.get("taxpayer_id"), str):  # as people type it: spaces, lower case
        data = {**data, "taxpayer_id": "".join(data["taxpayer_id"].split()).upper()}
    return model_save(
        actor=actor,
        instance=locked,
        data={k: v for k, v in data.items() if k in FAPIAO_FIELDS},
        action="customer.fapiao",
        field_permissions=dict.fromkeys(FAPIAO_FIELDS, FAPIAO_PERMISSION),
    )


class CustomerFapiaoForm(BootstrapFormMixin, forms.ModelForm):
    # Room for the spaces people type between groups; the service removes them.
    taxpayer_id = forms.CharField(
        label=gettext_lazy("Taxpayer id"),
        max_length=30,
        required=False,
        help_text=Customer._meta.get_field("taxpayer_id").help_text,
    )

    class Meta:
        model = Customer
        fields = FAPIAO_FIELDS


class CustomerFapiaoView(CustomerEditView):
    """Finance's page: what the customer's invoices say about the buyer."""

    permission_required = FAPIAO_PERMISSION
    form_class = CustomerFapiaoForm
    title = gettext_lazy("Fapiao details")
    service = staticmethod(customer_fapiao_update)
