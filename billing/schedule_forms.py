from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.models import Invoice
from oms.forms import BootstrapFormMixin, date_input

ROWS = 6


class InstallmentScheduleForm(BootstrapFormMixin, forms.Form):
    """Up to ROWS installments (due date, amount); empty rows are left out. Whether the
    amounts add up and the dates are in order is the service's to say (billing.schedules)."""

    def __init__(self, *args, invoice: Invoice, rows: list[tuple[date, Decimal]], **kwargs):
        initial = kwargs.setdefault("initial", {})
        for index, (due, amount) in enumerate(rows[:ROWS], start=1):
            initial[f"due_{index}"] = due
            initial[f"amount_{index}"] = amount
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        for index in range(1, ROWS + 1):
            self.fields[f"due_{index}"] = forms.DateField(
                label=gettext_lazy("Due date %(n)s") % {"n": index},
                required=False,
                widget=date_input(),
            )
            self.fields[f"amount_{index}"] = forms.DecimalField(
                label=gettext_lazy("Amount %(n)s") % {"n": index},
                required=False,
                min_value=Decimal("0.01"),
                max_digits=14,
                decimal_places=2,
            )
            self.fields[f"amount_{index}"].widget.attrs["inputmode"] = "decimal"

    def rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(n, self[f"due_{n}"], self[f"amount_{n}"]) for n in range(1, ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        for index in range(1, ROWS + 1):
            due, amount = cleaned.get(f"due_{index}"), cleaned.get(f"amount_{index}")
            if f"due_{index}" in self.errors or f"amount_{index}" in self.errors:
                continue
            if (due is None) != (amount is None):
                self.add_error(
                    f"due_{index}" if due is None else f"amount_{index}",
                    _("Enter both the due date and the amount, or neither."),
                )
        return cleaned

    def schedule(self) -> list[tuple[date, Decimal]]:
        rows = []
        for index in range(1, ROWS + 1):
            due, amount = (
                self.cleaned_data.get(f"due_{index}"),
                self.cleaned_data.get(f"amount_{index}"),
            )
            if due is not None and amount is not None:
                rows.append((due, amount))
        return rows
