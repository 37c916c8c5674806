from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from oms import registry, selectors
from oms.audit import AuditLogFilterSet, AuditLogTable
from oms.generic import ObjectListView


class DashboardView(LoginRequiredMixin, TemplateView):
    """The home page: the tiles and panels the apps registered, as far as the role may see.
    Open to every signed-in user."""

    template_name = "oms/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kpis"] = registry.kpis_for(self.request.user)
        context["panels"] = registry.dashboard_panels_for(self.request)
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
    """The header's search box: every app's search provider; a single exact hit opens directly."""

    template_name = "oms/search.html"

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()
        results = registry.search_everything(request.user, query)
        exact = [hit for group in results for hit in group["hits"] if hit.exact]
        if len(exact) == 1:
            return redirect(exact[0].url)
        return self.render_to_response({"query": query, "results": results})
