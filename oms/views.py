from datetime import date

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template import TemplateSyntaxError
from django.urls import Resolver404, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from oms import messaging, registry, selectors, services, workdays
from oms.audit import AuditLogFilterSet, AuditLogTable
from oms.choices import ExportStatus
from oms.errors import ServiceError
from oms.generic import (
    ObjectActionView,
    ObjectEditView,
    ObjectListView,
    export_file_name,
    int_param,
)
from oms.services import export_file_path, export_list_view
from oms.settings_pages import (
    CalendarDayForm,
    CalendarDayTable,
    MessageTemplateFilterSet,
    MessageTemplateForm,
    MessageTemplateTable,
    event_label,
)
from oms.sms import SmsTooLong, sms_parts


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


class CalendarView(ObjectListView):
    """One year of the working-day calendar: the shipped holidays and make-up working days and
    the edits; managers add or remove days."""

    permission_required = "oms.view_calendarday"
    table_class = CalendarDayTable
    template_name = "oms/calendar.html"
    title = gettext_lazy("Working days")
    export_name = "working-days"

    def year(self) -> int:
        return int_param(self.request, "year", timezone.localdate().year, low=2000, high=2100)

    def get_queryset(self):
        return workdays.special_days(self.year())

    @staticmethod
    def initial_date(year: int) -> date:
        today = timezone.localdate()
        return today if today.year == year else date(year, 1, 1)

    def get_summary(self, queryset) -> str:
        year = self.year()
        days = workdays.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))
        off = sum(1 for day in queryset if not day.is_working_day and day.weekday < 5)
        made = sum(1 for day in queryset if day.is_working_day and day.weekday >= 5)
        return _(
            "%(year)s: %(days)s working days; %(off)s weekdays off, %(made)s weekend days worked."
        ) % {"year": year, "days": days, "off": off, "made": made}

    def get_extra_context(self) -> dict:
        year = self.year()
        return {
            "year": year,
            "years": [year - 1, year, year + 1],
            "form": CalendarDayForm(initial={"date": self.initial_date(year)}),
            # Every year's notice has moved some weekend days so far: none means the shipped
            # calendar does not have that year's notice yet.
            "notice_missing": not workdays.official_year(year).working_weekends,
        }


class CalendarDaySetView(ObjectActionView):
    """Make one day a day off or a working day (add or remove a holiday or make-up day)."""

    permission_required = "oms.change_calendarday"

    def perform(self, request, **kwargs) -> str:
        form = CalendarDayForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        day, working = form.cleaned_data["date"], form.cleaned_data["working"]
        self.year = day.year
        changed = services.calendar_day_set(
            actor=request.user, day=day, working=working, name=form.cleaned_data["name"]
        )
        values = {"date": date_format(day, "DATE_FORMAT")}
        if not changed:
            return (
                _("%(date)s already is a working day.")
                if working
                else _("%(date)s already is a day off.")
            ) % values
        return (
            _("%(date)s is now a working day.") if working else _("%(date)s is now a day off.")
        ) % values

    def get_redirect_url(self, request, **kwargs) -> str:
        year = getattr(self, "year", None)
        url = reverse("calendar")
        return f"{url}?year={year}" if year else url


class MessageTemplateListView(ObjectListView):
    permission_required = "oms.view_messagetemplate"
    filterset_class = MessageTemplateFilterSet
    table_class = MessageTemplateTable
    title = gettext_lazy("Message templates")
    export_name = "message-templates"

    def get_queryset(self):
        return selectors.message_templates()


class MessageTemplateEditView(ObjectEditView):
    """Staff's wording of one customer message, with the event's variables and a preview."""

    permission_required = "oms.change_messagetemplate"
    form_class = MessageTemplateForm
    template_name = "oms/message_template_form.html"
    list_url_name = "message_template_list"

    def get_object(self):
        template = selectors.message_templates().filter(pk=self.kwargs["pk"]).first()
        if template is None or template.event_code not in registry.registry.message_events:
            raise Http404
        return template

    @property
    def title(self):
        return _("Message: %(event)s") % {"event": event_label(self.object.event_code)}

    def get_form_kwargs(self):
        return {"instance": self.object}

    def get_extra_context(self):
        event = registry.message_event(self.object.event_code)
        return {"event": event, "preview": message_preview(self.object, event)}

    def get_success_url(self, obj) -> str:
        return reverse("message_template_list")

    def get_cancel_url(self) -> str:
        return reverse("message_template_list")

    def save(self, form):
        return messaging.message_template_update(
            actor=self.request.user, template=self.object, data=form.cleaned_data
        )


class MessageTemplateResetView(ObjectActionView):
    permission_required = "oms.change_messagetemplate"

    def perform(self, request, **kwargs) -> str:
        template = selectors.message_templates().filter(pk=kwargs["pk"]).first()
        if template is None or template.event_code not in registry.registry.message_events:
            raise Http404
        messaging.message_template_reset(actor=request.user, template=template)
        return _("The default wording is back.")

    def get_redirect_url(self, request, **kwargs) -> str:
        return reverse("message_template_edit", args=[kwargs["pk"]])


def message_preview(template, event) -> dict:
    """The template with the event's sample values, as a customer would read it; a template
    that does not render shows why."""
    try:
        rendered = messaging.render_message(
            template, {"company": settings.OMS_COMPANY_NAME, **event.sample}
        )
    except TemplateSyntaxError as exc:
        return {"error": str(exc)}
    try:
        parts = len(sms_parts(rendered.sms)) if rendered.sms else 0
    except SmsTooLong:
        parts = None
    return {"message": rendered, "sms_length": len(rendered.sms), "sms_parts": parts}
