"""Approval rules: which submitted orders wait for which role, level by level."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.generic import ObjectListView, ObjectSetActiveView
from orders.filters import ApprovalRuleFilterSet
from orders.forms import ApprovalRuleForm
from orders.models import ApprovalRule
from orders.services import rules as services
from orders.tables import ApprovalRuleTable
from orders.views.rules import RuleEditView


class ApprovalRuleListView(ObjectListView):
    permission_required = "orders.view_approvalrule"
    filterset_class = ApprovalRuleFilterSet
    table_class = ApprovalRuleTable
    title = gettext_lazy("Approval rules")
    export_name = "approval-rules"
    actions = [
        (
            gettext_lazy("New rule"),
            "orders:approval_rule_create",
            "orders.add_approvalrule",
            "plus-lg",
        )
    ]

    def get_queryset(self):
        return ApprovalRule.objects.all()

    def get_summary(self, queryset):
        return _(
            "Submitted orders that meet a rule wait for the role it names; lower levels decide first."
        )


class ApprovalRuleEditView(RuleEditView):
    permission_required = "orders.change_approvalrule"
    model = ApprovalRule
    form_class = ApprovalRuleForm
    title = gettext_lazy("Edit approval rule")
    url_name = "orders:approval_rule"
    service = staticmethod(services.approval_rule_save)
    service_object = "rule"
    deactivate_warning = gettext_lazy(
        "Orders submitted from now on no longer need this approval; orders already waiting keep "
        "theirs."
    )


class ApprovalRuleCreateView(ApprovalRuleEditView):
    permission_required = "orders.add_approvalrule"
    title = gettext_lazy("New approval rule")


class ApprovalRuleSetActiveView(ObjectSetActiveView):
    permission_required = "orders.change_approvalrule"
    model = ApprovalRule
    service = staticmethod(services.approval_rule_set_active)
    service_object = "rule"
