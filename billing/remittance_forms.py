from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from customers.models import Customer
from oms.csv_upload import upload_text
from oms.forms import BootstrapFormMixin
from shipping.models import Carrier


class StatementUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("Statement (CSV, UTF-8)"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        self.file_name = upload.name or ""
        return upload_text(upload)


class CodRemittanceUploadForm(StatementUploadForm):
    carrier = forms.ModelChoiceField(
        label=_("Carrier"), queryset=Carrier.objects.filter(active=True).order_by("name")
    )
    field_order = ["carrier", "file"]


class BankLineMatchForm(forms.Form):
    """Whom a bank line pays: an invoice number, or a customer code (then oldest invoices
    first); both empty keeps the suggestion."""

    match = forms.CharField(required=False, max_length=40)

    def clean_match(self) -> Invoice | Customer | None:
        text = self.cleaned_data["match"].strip().upper()
        if not text:
            return None
        invoice = Invoice.objects.filter(number=text).select_related("customer").first()
        if invoice is not None:
            return invoice
        customer = Customer.objects.filter(code=text).first()
        if customer is not None:
            return customer
        raise forms.ValidationError(
            _("%(text)s is neither an invoice number nor a customer code.") % {"text": text}
        )
