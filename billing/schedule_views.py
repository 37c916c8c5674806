"""The invoice's installment plan: finance replaces it from a preset or free rows."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import selectors
from billing.schedule_forms import InstallmentScheduleForm
from billing.schedules import PERMISSION, PRESETS, invoice_schedule_set, preset_schedule
from oms.errors import ServiceError
from oms.generic import ObjectEditView


class InvoiceScheduleView(ObjectEditView):
    permission_required = PERMISSION
    form_class = InstallmentScheduleForm
    template_name = "billing/invoice_schedule.html"
    title = gettext_lazy("Installments")
    submit_label = gettext_lazy("Save installments")

    def lookup(self, pk):
        return selectors.invoice_detail(pk, self.request.user)

    def get_form_kwargs(self):
        invoice = self.object
        code = self.request.GET.get("preset", "")
        self.preset_error = ""
        rows = list(invoice.installments.order_by("position").values_list("due_date", "amount"))
        if code and self.request.method == "GET":
            try:
                rows = preset_schedule(invoice, code, start=timezone.localdate())
            except ServiceError as exc:
                self.preset_error = str(exc)
        return {"invoice": invoice, "rows": rows}

    def get_extra_context(self):
        return {
            "presets": PRESETS,
            "chosen": self.request.GET.get("preset", ""),
            "preset_error": self.preset_error,
            "installments": list(self.object.installments.order_by("position")),
        }

    def save(self, form):
        invoice_schedule_set(actor=self.request.user, invoice=self.object, schedule=form.schedule())
        return self.object

    def success_message(self, obj):
        return _("The installments of %(invoice)s are planned.") % {"invoice": obj}
