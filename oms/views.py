from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from customers.models import Customer
from inventory import selectors as inventory_selectors
from inventory.models import Product
from oms import selectors
from oms.audit import AuditLogFilterSet, AuditLogTable
from oms.generic import ObjectListView


class DashboardView(LoginRequiredMixin, TemplateView):
    """The home page: figures the user's role may see. Open to every signed-in user."""

    template_name = "oms/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("customers.view_customer"):
            context["active_customers"] = Customer.objects.filter(is_active=True).count()
        if user.has_perm("inventory.view_stocklevel"):
            context["active_products"] = Product.objects.filter(is_active=True).count()
            context["low_stock_count"] = inventory_selectors.low_stock().count()
            context["low_stock"] = inventory_selectors.low_stock().order_by("-shortfall")[:8]
            context["stock_value"] = inventory_selectors.stock_value()
        if user.has_perm("inventory.view_stockmovement"):
            context["movements"] = inventory_selectors.movement_list()[:8]
        if user.has_perm("orders.view_order"):
            from orders import selectors as order_selectors

            context["backlog"] = order_selectors.backlog_by_status()
        return context


class AuditLogView(ObjectListView):
    permission_required = "oms.view_auditlog"
    filterset_class = AuditLogFilterSet
    table_class = AuditLogTable
    title = gettext_lazy("Audit log")
    export_name = "audit-log"

    def get_queryset(self):
        return selectors.audit_log()


class GlobalSearchView(LoginRequiredMixin, TemplateView):
    """The header's search box: a customer code or phone, or a SKU; exact hits open directly."""

    template_name = "oms/search.html"

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()
        results = selectors.search_everything(request.user, query)
        exact = [hit for group in results for hit in group["hits"] if hit["exact"]]
        if len(exact) == 1:
            return redirect(exact[0]["url"])
        return self.render_to_response({"query": query, "results": results})
