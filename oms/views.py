from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import Resolver404
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from oms import registry, selectors
from oms.audit import AuditLogFilterSet, AuditLogTable
from oms.choices import ExportStatus
from oms.errors import ServiceError
from oms.generic import ObjectListView, export_file_name
from oms.services import export_file_path, export_list_view


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


class ExportJobMixin(LoginRequiredMixin):
    """An export's pages open only to the user who asked for it (or an administrator); to
    anybody else the export does not exist."""

    def get_job(self, request, pk):
        job = selectors.export_job_for(request.user, pk)
        if job is None:
            raise Http404
        return job


class ExportStatusView(ExportJobMixin, View):
    """A big export's progress; htmx asks again every second until it has ended."""

    template_name = "oms/export_status.html"

    def get(self, request, pk):
        job = self.get_job(request, pk)
        try:
            view_class, _kwargs = export_list_view(job.path)
            title = view_class.title
        except (Resolver404, ServiceError):  # a list that has gone away still shows its job
            title = job.list_name
        percent = None
        if job.status == ExportStatus.DONE:
            percent = 100
        elif job.rows_total:
            percent = min(99, job.rows_written * 100 // job.rows_total)
        context = {
            "job": job,
            "title": title,
            "percent": percent,
            "ended": job.status in (ExportStatus.DONE, ExportStatus.FAILED),
            "downloadable": export_file_path(job) is not None,
            "list_url": f"{job.path}?{job.query_string}" if job.query_string else job.path,
            "keep_days": settings.OMS_EXPORT_KEEP_DAYS,
        }
        template = "oms/includes/export_progress.html" if request.htmx else self.template_name
        return render(request, template, context)


class ExportDownloadView(ExportJobMixin, View):
    """The finished file; a job that is not done (or whose file is gone) has none."""

    def get(self, request, pk):
        job = self.get_job(request, pk)
        path = export_file_path(job)
        if path is None:
            raise Http404
        view_class, _kwargs = export_list_view(job.path)
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            as_attachment=True,
            filename=export_file_name(view_class.export_name, job.created_at),
            content_type="text/csv; charset=utf-8",
        )
        return response
