"""The replenishment page (a purchase list, CSV) and the forecast refresh of a product."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory import selectors
from inventory.filters import ReplenishmentFilterSet
from inventory.replenishment import forecasts_refresh
from inventory.tables import ReplenishmentTable
from oms.generic import ObjectActionView, ObjectListView, get_object_or_404

VIEW = "inventory.view_demandforecast"
REFRESH = "inventory.change_demandforecast"


class ReplenishmentListView(ObjectListView):
    permission_required = VIEW
    filterset_class = ReplenishmentFilterSet
    table_class = ReplenishmentTable
    title = gettext_lazy("Replenishment")
    export_name = "purchase-list"

    def get_queryset(self):
        return selectors.replenishment()

    def get_summary(self, queryset):
        return _(
            "Available stock (on hand − reserved) below the reorder point: forecast demand over "
            "the lead time plus safety stock. The suggestion fills up to the reorder point plus "
            "the demand of the review period, in whole packs. Forecasts are refreshed nightly."
        )


class ForecastRefreshView(ObjectActionView):
    """Recompute one product's forecasts now (after a lead time change, say)."""

    permission_required = REFRESH

    def perform(self, request, **kwargs):
        product = get_object_or_404(selectors.product_detail, kwargs["pk"])
        places = forecasts_refresh(actor=request.user, product=product)
        return _("Forecast recomputed for %(count)s warehouses.") % {"count": places}

    def get_redirect_url(self, request, **kwargs):
        return reverse("inventory:product_detail", args=[kwargs["pk"]]) + "#forecast"
