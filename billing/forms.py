from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice
from billing.services import open_part
from oms.forms import BootstrapFormMixin, QuantityField


class CreditNoteForm(BootstrapFormMixin, forms.Form):
    """Finance's partial or full credit note: how many units of each open line, the shipping,
    and why."""

    note = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Printed on the credit note, e.g. two units arrived broken."),
    )
    shipping = forms.BooleanField(label=_("Credit the shipping fee too"), required=False)

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_lines, self.open_shipping = open_part(invoice)
        for line_no, share in sorted(self.open_lines.items()):
            self.fields[f"line_{line_no}"] = QuantityField(
                label=f"{line_no}. {share.sku} {share.description}",
                min_value=0,
                max_value=share.quantity,
                required=False,
                initial=0,
                help_text=_("Up to %(left)s") % {"left": share.quantity},
            )
        if not self.open_shipping:
            del self.fields["shipping"]
        self.order_fields([*(f"line_{n}" for n in sorted(self.open_lines)), "shipping", "note"])

    def quantities(self) -> dict[int, int]:
        return {
            line_no: self.cleaned_data.get(f"line_{line_no}") or 0 for line_no in self.open_lines
        }
