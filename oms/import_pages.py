"""The import pages: the list of one's imports, the upload (kind, file, check only or import),
each import's progress and report (htmx polling), the CSV of its rows with errors, and the
templates to fill in. What is imported and how is the registered importers' (oms.imports)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View

from oms import imports
from oms.choices import FileJobStatus, ImportAction
from oms.errors import ServiceError
from oms.forms import BootstrapFormMixin
from oms.generic import ObjectListView, RequirePermissionMixin
from oms.models import ImportJob
from oms.tables import BaseTable, DateTimeColumn, fast_format_html
from oms.templatetags.oms import status_badge_html
from oms.types import AnyUser

IMPORT_PERMISSION = "oms.add_importjob"
# Managers and administrators may open anybody's import; others only their own.
ALL_IMPORTS_PERMISSION = "oms.view_importjob"
STATUS_TONES = {"queued": "grey", "running": "blue", "done": "green", "failed": "red"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_ROWS = 200  # rows shown on the page; the CSV has every row with an error


def jobs_visible_to(user: AnyUser):
    jobs = ImportJob.objects.select_related("user")
    if user.has_perm(ALL_IMPORTS_PERMISSION):
        return jobs
    return jobs.filter(user=user)


def kind_label(code: str) -> str:
    importer = imports.IMPORTERS.get(code)
    return str(importer.label) if importer else code


class ImportJobTable(BaseTable):
    created_at = DateTimeColumn(
        verbose_name=gettext_lazy("Uploaded"), attrs={"td": {"class": "text-nowrap"}}
    )
    kind = tables.Column(verbose_name=gettext_lazy("Kind"))
    file_name = tables.Column(verbose_name=gettext_lazy("File"))
    dry_run = tables.Column(verbose_name=gettext_lazy("Mode"))
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    rows_done = tables.Column(verbose_name=gettext_lazy("Rows"))
    created = tables.Column(verbose_name=gettext_lazy("Created"))
    updated = tables.Column(verbose_name=gettext_lazy("Updated"))
    skipped = tables.Column(verbose_name=gettext_lazy("Skipped"))
    errors = tables.Column(verbose_name=gettext_lazy("Errors"))
    user = tables.Column(verbose_name=gettext_lazy("User"), accessor="user__username")

    class Meta(BaseTable.Meta):
        model = ImportJob
        fields = (
            "created_at",
            "kind",
            "file_name",
            "dry_run",
            "status",
            "rows_done",
            "created",
            "updated",
            "skipped",
            "errors",
            "user",
        )
        empty_text = gettext_lazy("No imports yet.")

    def render_kind(self, value):
        return kind_label(value)

    def value_kind(self, value):
        return kind_label(value)

    def render_file_name(self, value, record):
        return fast_format_html(
            '<a href="{}">{}</a>', reverse("import_job", args=[record.pk]), value
        )

    def render_dry_run(self, value):
        return _("Check only") if value else _("Import")

    def value_dry_run(self, value):
        return _("Check only") if value else _("Import")

    def render_status(self, record):
        # The record's code: the table's fast cells pass the choice's label as the value.
        status = record.status
        return status_badge_html(
            "import", status, record.get_status_display(), STATUS_TONES.get(status, "grey")
        )


class ImportListView(ObjectListView):
    permission_required = IMPORT_PERMISSION
    table_class = ImportJobTable
    title = gettext_lazy("Imports")
    export_name = "imports"
    actions = [(gettext_lazy("New import"), "import_new", IMPORT_PERMISSION, "upload")]

    def get_queryset(self):
        return jobs_visible_to(self.request.user)


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"))
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("CSV in UTF-8 or GBK, or the first sheet of an Excel workbook."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].choices = [(i.code, i.label) for i in imports.importers_for(user)]
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.OMS_IMPORT_MAX_BYTES:
            raise forms.ValidationError(imports.too_big_message())
        return upload


class ImportNewView(RequirePermissionMixin, View):
    """Upload: "Check only" reports every row and writes nothing; "Import" writes. Both run
    in a worker; the page of the job shows the progress and the report."""

    permission_required = IMPORT_PERMISSION
    template_name = "oms/import_new.html"

    def render_page(self, form, status=200):
        kinds = imports.importers_for(self.request.user)
        chosen = form["kind"].value() or (kinds[0].code if kinds else "")
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "title": _("New import"),
                "kinds": [
                    {
                        "importer": importer,
                        "columns": importer.columns,
                        "chosen": importer.code == chosen,
                    }
                    for importer in kinds
                ],
                "max_mb": settings.OMS_IMPORT_MAX_BYTES // (1024 * 1024),
            },
            status=status,
        )

    def get(self, request):
        initial = {"kind": request.GET.get("kind", "")}
        return self.render_page(ImportUploadForm(initial=initial, user=request.user))

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_page(form, status=422)
        try:
            job = imports.job_start(
                user=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                dry_run=request.POST.get("mode") != "import",
                language=get_language() or settings.LANGUAGE_CODE,
            )
        except (imports.ImportFileError, ServiceError, PermissionDenied) as exc:
            form.add_error("file", str(exc))
            return self.render_page(form, status=422)
        return HttpResponseRedirect(reverse("import_job", args=[job.pk]))


class ImportJobMixin(LoginRequiredMixin):
    """An import's pages open only to the user who uploaded it (or a manager or administrator)."""

    def get_job(self, request, pk) -> ImportJob:
        job = jobs_visible_to(request.user).filter(pk=pk).first()
        if job is None:
            raise Http404
        return job


class ImportJobView(ImportJobMixin, View):
    template_name = "oms/import_job.html"

    def get(self, request, pk):
        job = self.get_job(request, pk)
        context = job_context(job)
        template = "oms/includes/import_progress.html" if request.htmx else self.template_name
        return render(request, template, context)


def job_context(job: ImportJob) -> dict[str, Any]:
    ended = job.status in (FileJobStatus.DONE, FileJobStatus.FAILED)
    percent = None
    if job.status == FileJobStatus.DONE:
        percent = 100
    elif job.rows_total:
        percent = min(99, job.rows_done * 100 // job.rows_total)
    results = []
    if ended:
        results = list(job.results.order_by("row", "id")[:REPORT_ROWS])
    commit = job.imports.first() if job.dry_run else None
    return {
        "job": job,
        "title": _("%(kind)s: %(file)s") % {"kind": kind_label(job.kind), "file": job.file_name},
        "kind_label": kind_label(job.kind),
        "encoding": imports.encoding_label(job.encoding),
        "ended": ended,
        "percent": percent,
        "results": results,
        "more_results": ended and job.results.count() > len(results),
        "counts": [
            (ImportAction.CREATE.label, job.created, "green"),
            (ImportAction.UPDATE.label, job.updated, "blue"),
            (ImportAction.SKIP.label, job.skipped, "grey"),
            (ImportAction.ERROR.label, job.errors, "red"),
        ],
        "can_commit": job.dry_run and job.status == FileJobStatus.DONE and commit is None,
        "commit": commit,
    }


class ImportCommitView(ImportJobMixin, View):
    """Import the file of a finished check (POST; a second click leads to the same import)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        checked = self.get_job(request, pk)
        try:
            job = imports.job_commit(user=request.user, checked=checked)
        except (ServiceError, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("import_job", args=[checked.pk]))
        return HttpResponseRedirect(reverse("import_job", args=[job.pk]))


class ImportErrorsView(ImportJobMixin, View):
    """The rows with an error as CSV, to fix and import again."""

    def get(self, request, pk):
        job = self.get_job(request, pk)
        if job.status != FileJobStatus.DONE:
            raise Http404
        importer = imports.importer_for(job.kind)
        response = StreamingHttpResponse(
            imports.errors_csv(job, importer), content_type="text/csv; charset=utf-8"
        )
        name = f"{job.kind}-errors-{job.created_at:%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ImportTemplateView(RequirePermissionMixin, View):
    """A kind's template: `?kind=customers&lang=zh` for Chinese headers, `&format=xlsx` for a
    workbook."""

    permission_required = IMPORT_PERMISSION

    def get(self, request):
        kinds = {i.code: i for i in imports.importers_for(request.user)}
        code = request.GET.get("kind") or next(iter(kinds), "")
        importer = kinds.get(code)
        if importer is None:
            raise Http404
        chinese = request.GET.get("lang") == "zh"
        if request.GET.get("format") == "xlsx":
            content = imports.template_xlsx(importer, chinese=chinese)
            content_type, suffix = XLSX_TYPE, "xlsx"
        else:
            content = imports.template_csv(importer, chinese=chinese)
            content_type, suffix = "text/csv; charset=utf-8", "csv"
        response = HttpResponse(content, content_type=content_type)
        name = f"{importer.code}-template{'-zh' if chinese else ''}.{suffix}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
