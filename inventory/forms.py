from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.choices import MANUAL_ADJUSTMENT_REASONS
from inventory.models import Category, Product, StockLevel, TaxClass, TaxRate, Warehouse
from inventory.services import PRODUCT_FIELD_PERMISSIONS, PRODUCT_FIELDS, WAREHOUSE_FIELDS
from oms.csv_upload import upload_text
from oms.forms import BootstrapFormMixin, FieldRightsFormMixin, QuantityField


class ProductForm(FieldRightsFormMixin, BootstrapFormMixin, forms.ModelForm):
    field_permissions = PRODUCT_FIELD_PERMISSIONS

    class Meta:
        model = Product
        fields = PRODUCT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Active classes, and the product's own even when it has been retired since.
        current = self.instance.tax_class_id if self.instance.pk else None
        self.fields["tax_class"].queryset = TaxClass.objects.filter(
            Q(is_active=True) | Q(code=current)
        )
        # Replenishment settings have defaults: a form (or an import) without them keeps those.
        for name in ("lead_time_days", "pack_size"):
            if name in self.fields:
                self.fields[name].required = False

    def _or_default(self, name: str):
        value = self.cleaned_data.get(name)
        if value is None:
            return (
                getattr(self.instance, name)
                if self.instance.pk
                else Product._meta.get_field(name).default
            )
        return value

    def clean_lead_time_days(self):
        return self._or_default("lead_time_days")

    def clean_pack_size(self):
        return self._or_default("pack_size")


class TaxClassForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = TaxClass
        fields = ["code", "name", "name_en", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # products refer to the code
            self.fields["code"].disabled = True


class TaxRateForm(BootstrapFormMixin, forms.ModelForm):
    rate = forms.DecimalField(
        label=_("Rate (%)"),
        min_value=0,
        max_value=Decimal("99.99"),
        decimal_places=2,
        help_text=_("13 for 13 %."),
    )

    class Meta:
        model = TaxRate
        fields = ["rate", "valid_from"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}

    def clean_rate(self):
        return self.cleaned_data["rate"] / 100


class WarehouseForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = WAREHOUSE_FIELDS


class ProductBySkuField(forms.CharField):
    """A SKU typed or scanned by the user, resolved to an active product."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("SKU"))
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "list": "sku-options", "autofocus": True})

    def prepare_value(self, value):
        return value.sku if isinstance(value, Product) else value

    def clean(self, value):
        sku = super().clean(value).strip().upper()
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            raise forms.ValidationError(_("No product has the SKU %(sku)s."), params={"sku": sku})
        if not product.is_active:
            raise forms.ValidationError(_("Product %(sku)s is inactive."), params={"sku": sku})
        return product


def active_warehouses():
    return Warehouse.objects.filter(is_active=True).order_by("code")


class StockReceiveForm(BootstrapFormMixin, forms.Form):
    product = ProductBySkuField()
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=active_warehouses())
    quantity = QuantityField()
    unit_cost = forms.DecimalField(
        label=_("Unit cost"),
        min_value=0,
        max_digits=14,
        decimal_places=4,
        help_text=_("Purchase price per unit, before tax: it moves the average cost."),
    )
    bin_location = forms.CharField(
        label=_("Bin"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the current bin."),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("Delivery note or purchase order number."),
    )
    note = forms.CharField(label=_("Note"), max_length=250, required=False)


class WorkOrderComponentForm(BootstrapFormMixin, forms.Form):
    """A component on a work order's bill of materials; the quantity is for the whole order."""

    product = ProductBySkuField(label=_("Component SKU"))
    quantity = QuantityField(help_text=_("For the whole work order, not per unit."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget.attrs.pop("autofocus", None)


class ProductComponentForm(BootstrapFormMixin, forms.Form):
    """A component on a product's default bill of materials: how many one unit takes."""

    product = ProductBySkuField(label=_("Component SKU"))
    quantity = QuantityField(label=_("Per unit"), help_text=_("For one unit made."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget.attrs.pop("autofocus", None)


class WorkOrderFileForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Drawing or specification"), help_text=_("PDF, PNG, JPEG or DWG.")
    )


class StockAdjustForm(BootstrapFormMixin, forms.Form):
    product = ProductBySkuField()
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=active_warehouses())
    quantity = QuantityField(
        allow_negative=True,
        min_value=-10_000_000,
        help_text=_("Positive to add, negative to remove, e.g. -3."),
    )
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "---------"), *MANUAL_ADJUSTMENT_REASONS]
    )
    note = forms.CharField(label=_("Note"), max_length=250, required=False)

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise forms.ValidationError(_("An adjustment of zero changes nothing."))
        return quantity


class StockTransferForm(BootstrapFormMixin, forms.Form):
    product = ProductBySkuField()
    source = forms.ModelChoiceField(label=_("From warehouse"), queryset=active_warehouses())
    destination = forms.ModelChoiceField(label=_("To warehouse"), queryset=active_warehouses())
    quantity = QuantityField()
    note = forms.CharField(label=_("Note"), max_length=250, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") and cleaned.get("source") == cleaned.get("destination"):
            self.add_error("destination", _("Choose a different destination warehouse."))
        return cleaned


class StockLevelForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = StockLevel
        fields = ["bin_location", "safety_stock"]

    def clean_safety_stock(self):
        value = self.cleaned_data["safety_stock"]
        if value < 0:
            raise forms.ValidationError(_("Safety stock cannot be negative."))
        return value


class StocktakeOpenForm(BootstrapFormMixin, forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=active_warehouses())
    bin_from = forms.CharField(
        label=_("From bin"),
        max_length=20,
        required=False,
        help_text=_("Leave both bins empty to count every bin."),
    )
    bin_to = forms.CharField(label=_("To bin"), max_length=20, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        help_text=_("Only this category's products; empty: all."),
    )
    note = forms.CharField(label=_("Note"), max_length=250, required=False)


class CountEntryForm(forms.Form):
    """One line of the count page; blank means not counted."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    counted = QuantityField(
        label=_("Counted"),
        required=False,
        min_value=0,
        error_messages={
            "invalid": _("Enter a whole number."),
            "min_value": _("A count cannot be negative."),
            "max_value": _("Enter a count of at most %(limit_value)s."),
        },
        widget=forms.NumberInput(
            attrs={
                "class": "form-control form-control-sm text-end oms-count-input",
                "inputmode": "numeric",
            }
        ),
    )


CountEntryFormSet = forms.formset_factory(CountEntryForm, extra=0, max_num=500, absolute_max=500)


class CountUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns sku and counted (UTF-8); download the template to start."),
    )

    def clean_file(self):
        return upload_text(self.cleaned_data["file"])
