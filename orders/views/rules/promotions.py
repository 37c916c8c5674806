"""Promotions: a discount on a product, a category, a customer tier or a whole order."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.generic import ObjectListView, ObjectSetActiveView
from orders.filters import PromotionFilterSet
from orders.forms import PromotionForm
from orders.models import Promotion
from orders.services import rules as services
from orders.tables import PromotionTable
from orders.views.rules import RuleEditView


class PromotionListView(ObjectListView):
    permission_required = "orders.view_promotion"
    filterset_class = PromotionFilterSet
    table_class = PromotionTable
    title = gettext_lazy("Promotions")
    export_name = "promotions"
    actions = [
        (
            gettext_lazy("New promotion"),
            "orders:promotion_create",
            "orders.add_promotion",
            "plus-lg",
        )
    ]

    def get_queryset(self):
        return Promotion.objects.select_related("product", "category").order_by(
            "-is_active", "-starts_on", "name"
        )

    def get_summary(self, queryset):
        return _(
            "Each order line gets its best running promotion, plus those that stack. Orders "
            "already confirmed keep their prices."
        )


class PromotionEditView(RuleEditView):
    permission_required = "orders.change_promotion"
    model = Promotion
    form_class = PromotionForm
    title = gettext_lazy("Edit promotion")
    url_name = "orders:promotion"
    service = staticmethod(services.promotion_save)
    service_object = "promotion"
    deactivate_warning = gettext_lazy(
        "New and changed orders no longer get this promotion; confirmed orders keep their prices."
    )

    def get_extra_context(self):
        return {**super().get_extra_context(), "sku_options": True}


class PromotionCreateView(PromotionEditView):
    permission_required = "orders.add_promotion"
    title = gettext_lazy("New promotion")


class PromotionSetActiveView(ObjectSetActiveView):
    permission_required = "orders.change_promotion"
    model = Promotion
    service = staticmethod(services.promotion_set_active)
    service_object = "promotion"
