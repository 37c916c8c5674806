"""Shipping fee rules: a base fee and a fee per kilogram, by region and weight band."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.generic import ObjectListView, ObjectSetActiveView
from orders.filters import ShippingRuleFilterSet
from orders.forms import ShippingRuleForm
from orders.models import ShippingRule
from orders.services import rules as services
from orders.tables import ShippingRuleTable
from orders.views.rules import RuleEditView


class ShippingRuleListView(ObjectListView):
    permission_required = "orders.view_shippingrule"
    filterset_class = ShippingRuleFilterSet
    table_class = ShippingRuleTable
    title = gettext_lazy("Shipping fees")
    export_name = "shipping-fees"
    actions = [
        (
            gettext_lazy("New shipping fee rule"),
            "orders:shipping_rule_create",
            "orders.add_shippingrule",
            "plus-lg",
        )
    ]

    def get_queryset(self):
        return ShippingRule.objects.order_by("-is_active", "region", "max_weight_kg", "pk")

    def get_summary(self, queryset):
        return _(
            "An order pays the fee of the most specific active rule: its own region before "
            "every region, then the lightest weight band that fits."
        )


class ShippingRuleEditView(RuleEditView):
    permission_required = "orders.change_shippingrule"
    model = ShippingRule
    form_class = ShippingRuleForm
    title = gettext_lazy("Edit shipping fee rule")
    url_name = "orders:shipping_rule"
    service = staticmethod(services.shipping_rule_save)
    service_object = "rule"
    deactivate_warning = gettext_lazy(
        "New and changed orders no longer use this fee; confirmed orders keep theirs."
    )


class ShippingRuleCreateView(ShippingRuleEditView):
    permission_required = "orders.add_shippingrule"
    title = gettext_lazy("New shipping fee rule")


class ShippingRuleSetActiveView(ObjectSetActiveView):
    permission_required = "orders.change_shippingrule"
    model = ShippingRule
    service = staticmethod(services.shipping_rule_set_active)
    service_object = "rule"
