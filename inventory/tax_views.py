"""Finance's pages for tax classes and their rates (/tax-classes/)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory import taxes
from inventory.filters import TaxClassFilterSet
from inventory.forms import TaxClassForm, TaxRateForm
from inventory.models import TaxClass
from inventory.tables import TaxClassTable, TaxRateTable, percent
from oms.generic import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    get_object_or_404,
    model_lookup,
)
from oms.tables import compact_table


class TaxClassListView(ObjectListView):
    permission_required = "inventory.view_taxclass"
    filterset_class = TaxClassFilterSet
    table_class = TaxClassTable
    title = gettext_lazy("Tax classes")
    export_name = "tax-classes"
    actions = [
        (
            gettext_lazy("New tax class"),
            "inventory:tax_class_create",
            "inventory.add_taxclass",
            "plus-lg",
        )
    ]

    def get_queryset(self):
        return taxes.tax_class_list()


class TaxClassDetailView(ObjectDetailView):
    permission_required = "inventory.view_taxclass"
    template_name = "inventory/tax_class_detail.html"
    model = TaxClass

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rate_table"] = compact_table(
            TaxRateTable, taxes.tax_class_rates(self.object), request=self.request
        )
        today, upcoming = taxes.current_rates([self.object])[self.object.pk]
        context["rate_today"] = percent(today) if today is not None else None
        context["upcoming"] = upcoming and (percent(upcoming[0]), upcoming[1])
        return context


class TaxClassEditView(ObjectEditView):
    permission_required = "inventory.change_taxclass"
    form_class = TaxClassForm
    title = gettext_lazy("Edit tax class")
    model = TaxClass
    service = staticmethod(taxes.tax_class_save)
    service_object = "tax_class"


class TaxClassCreateView(TaxClassEditView):
    permission_required = "inventory.add_taxclass"
    title = gettext_lazy("New tax class")
    list_url_name = "inventory:tax_class_list"


class TaxRateCreateView(ObjectEditView):
    """A new rate from a day on: finance enters it ahead of the day the law changes."""

    permission_required = "inventory.add_taxrate"
    form_class = TaxRateForm
    title = gettext_lazy("New tax rate")
    submit_label = gettext_lazy("Add rate")

    def get_object(self):
        self.tax_class = get_object_or_404(model_lookup(TaxClass), self.kwargs["pk"])
        return None

    def get_cancel_url(self):
        return self.tax_class.get_absolute_url()

    def get_success_url(self, obj):
        return self.tax_class.get_absolute_url()

    def success_message(self, obj):
        return _("%(class)s: %(rate)s from %(day)s.") % {
            "class": self.tax_class,
            "rate": percent(obj.rate),
            "day": obj.valid_from,
        }

    def save(self, form):
        return taxes.tax_rate_add(
            actor=self.request.user, tax_class=self.tax_class, data=form.cleaned_data
        )
