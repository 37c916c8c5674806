"""Approval rules: which submitted orders wait for which reviewer role."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.generic import ObjectEditView, ObjectListView
from orders import services
from orders.filters import ApprovalRuleFilterSet
from orders.forms import ApprovalRuleForm
from orders.models import ApprovalRule
from orders.tables import ApprovalRuleTable


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


class ApprovalRuleEditView(ObjectEditView):
    permission_required = "orders.change_approvalrule"
    form_class = ApprovalRuleForm
    title = gettext_lazy("Edit approval rule")

    def get_object(self):
        rule = ApprovalRule.objects.filter(pk=self.kwargs["pk"]).first()
        if rule is None:
            raise Http404
        return rule

    def get_form_kwargs(self):
        return {"instance": self.object}

    def get_cancel_url(self):
        return reverse("orders:approval_rule_list")

    def get_success_url(self, rule):
        return reverse("orders:approval_rule_list")

    def save(self, form):
        return services.approval_rule_save(
            actor=self.request.user, rule=self.object, data=form.cleaned_data
        )


class ApprovalRuleCreateView(ApprovalRuleEditView):
    permission_required = "orders.add_approvalrule"
    title = gettext_lazy("New approval rule")

    def get_object(self):
        return None
