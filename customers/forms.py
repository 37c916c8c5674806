from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from customers.models import Address, Customer, CustomerNote
from customers.selectors import own_customers_only
from customers.services import (
    ADDRESS_FIELDS,
    CREDIT_FIELDS,
    CUSTOMER_FIELD_PERMISSIONS,
    CUSTOMER_FIELDS,
)
from oms.forms import BootstrapFormMixin, FieldRightsFormMixin, TagsField


class CustomerForm(FieldRightsFormMixin, BootstrapFormMixin, forms.ModelForm):
    tags = TagsField(label=_("Tags"))
    field_permissions = CUSTOMER_FIELD_PERMISSIONS
    # A form (or a script) that does not send these keeps what the customer has: the
    # defaults for a new customer.
    KEPT_WHEN_MISSING = ("language", "preferred_channel")

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        salesperson = self.fields["salesperson"]
        if user is not None and own_customers_only(user):
            # Limited to their own customers, a sales user looks after what they enter.
            salesperson.queryset = get_user_model().objects.filter(pk=user.pk)
            salesperson.required = True
            salesperson.initial = user.pk
            return
        salesperson.queryset = (
            get_user_model()
            .objects.filter(groups__name="sales", is_active=True)
            .order_by("username")
        )
        for name in self.KEPT_WHEN_MISSING:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.KEPT_WHEN_MISSING:
            if not cleaned.get(name) and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class CustomerCreditForm(BootstrapFormMixin, forms.ModelForm):
    """Finance's page: the credit terms alone."""

    class Meta:
        model = Customer
        fields = CREDIT_FIELDS


class AddressForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Address
        fields = ADDRESS_FIELDS


class FirstAddressForm(AddressForm):
    """The optional first address on the new-customer page."""

    class Meta(AddressForm.Meta):
        fields = ["recipient", "phone", "region", "city", "district", "street", "postal_code"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "address")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def has_address(self) -> bool:
        return any(
            self.data.get(self.add_prefix(name), "").strip()
            for name in ("recipient", "street", "city")
        )

    def clean(self):
        cleaned = super().clean()
        if self.has_address():
            for name in ("recipient", "phone", "region", "city", "street"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("This field is required."))
        return cleaned


class TierThresholdForm(BootstrapFormMixin, forms.Form):
    """Where silver, gold and platinum start (12-month net spend); below silver is standard."""

    silver = forms.DecimalField(
        label=_("Silver from"), min_value=0, max_digits=14, decimal_places=2
    )
    gold = forms.DecimalField(label=_("Gold from"), min_value=0, max_digits=14, decimal_places=2)
    platinum = forms.DecimalField(
        label=_("Platinum from"), min_value=0, max_digits=14, decimal_places=2
    )


class CustomerNoteForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Contact note"),
        max_length=CustomerNote.MAX_LENGTH,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "placeholder": _("Who you spoke to, what was agreed, what comes next"),
            }
        ),
    )
