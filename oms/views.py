from datetime import date

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from oms import communication, dashboard, messaging, registry, selectors, services, workdays
from oms.audit import AuditLogFilterSet, AuditLogTable
from oms.choices import FileJobStatus
from oms.filejobs import file_job_kind, file_job_path
from oms.generic import (
    ObjectActionView,
    ObjectEditView,
    ObjectListView,
    int_param,
)
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
        with dashboard.dashboard_figures():
            context["kpis"] = dashboard.kpis_for(self.request.user)
            context["panels"] = dashboard.dashboard_panels_for(self.request)
        return context


class AuditLogView(ObjectListView):
    permission_required = "oms.view_auditlog"
    filterset_class = AuditLogFilterSet
    table_class = AuditLogTable
    title = gettext_lazy("Audit log")
    export_name = "audit-log"

    def get_queryset(self):
        return selectors.audit_log()


class MessageListView(ObjectListView):
    """What customers were told (oms.communication): every message, or one customer's."""

    permission_required = communication.VIEW_PERMISSION
    filterset_class = communication.MessageFilterSet
    table_class = communication.MessageTable
    title = gettext_lazy("Customer messages")
    export_name = "customer-messages"

    def get_queryset(self):
        return communication.customer_messages_for(self.request.user)


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


class FileJobMixin(LoginRequiredMixin):
    """A file job's pages open only to the user who asked for it (or an administrator); to
    anybody else the job does not exist."""

    def get_job(self, request, pk):
        job = selectors.file_job_for(request.user, pk)
        if job is None:
            raise Http404
        return job


class FileJobStatusView(FileJobMixin, View):
    """A file job's progress (an export, a batch of documents); htmx asks again every second
    until it has ended."""

    template_name = "oms/file_job_status.html"

    def get(self, request, pk):
        job = self.get_job(request, pk)
        kind = file_job_kind(job.kind)
        percent = None
        if job.status == FileJobStatus.DONE:
            percent = 100
        elif job.items_total:
            percent = min(99, job.items_done * 100 // job.items_total)
        downloadable = file_job_path(job) is not None
        context = {
            "job": job,
            "title": kind.title(job),
            "percent": percent,
            "ended": job.status in (FileJobStatus.DONE, FileJobStatus.FAILED),
            "progress_text": (
                kind.progress_text(job.items_done, job.items_total)
                if job.items_total is not None
                else ""
            ),
            "downloadable": downloadable,
            "download_text": kind.download_text(job) if downloadable else "",
            "failed_text": kind.failed_text(),
            "removed_text": kind.removed_text(),
            "list_url": f"{job.path}?{job.query_string}" if job.query_string else job.path,
            "keep_days": max(1, kind.keep().days),
        }
        template = "oms/includes/file_job_progress.html" if request.htmx else self.template_name
        return render(request, template, context)


class FileJobDownloadView(FileJobMixin, View):
    """The finished file; a job that is not done (or whose file is gone) has none."""

    def get(self, request, pk):
        job = self.get_job(request, pk)
        path = file_job_path(job)
        if path is None:
            raise Http404
        kind = file_job_kind(job.kind)
        return FileResponse(
            open(path, "rb"),
            as_attachment=True,
            filename=kind.download_name(job),
            content_type=kind.content_type,
        )


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
