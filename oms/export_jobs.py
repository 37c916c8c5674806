"""The CSV export of a big list as a file job (oms.filejobs): kind "export"."""

from datetime import timedelta

from django.conf import settings
from django.urls import Resolver404
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oms.errors import ServiceError
from oms.filejobs import FileJobKind
from oms.generic import export_file_name
from oms.models import FileJob
from oms.services import export_list_view, export_write


def _list_title(job: FileJob) -> str:
    try:
        view_class, _kwargs = export_list_view(job.path)
    except (Resolver404, ServiceError):  # a list that has gone away still shows its job
        return job.list_name
    return str(view_class.title)


def _download_name(job: FileJob) -> str:
    try:
        view_class, _kwargs = export_list_view(job.path)
        name = view_class.export_name
    except (Resolver404, ServiceError):
        name = "export"
    return export_file_name(name, job.created_at)


def _progress_text(done: int, total: int) -> str:
    return _("%(written)s of %(total)s rows") % {
        "written": number_format(done, force_grouping=True),
        "total": number_format(total, force_grouping=True),
    }


def _download_text(job: FileJob) -> str:
    return ngettext(
        "Download the CSV file (%(shown)s row)",
        "Download the CSV file (%(shown)s rows)",
        job.items_done,
    ) % {"shown": number_format(job.items_done, force_grouping=True)}


EXPORT = FileJobKind(
    code="export",
    suffix=".csv",
    content_type="text/csv; charset=utf-8",
    write=export_write,
    title=lambda job: _("Export: %(title)s") % {"title": _list_title(job)},
    download_name=_download_name,
    progress_text=_progress_text,
    download_text=_download_text,
    failed_text=lambda: _(
        "The export did not finish, so no file was kept. Try again, or narrow the filters to "
        "export fewer rows."
    ),
    removed_text=lambda: _(
        "This export's file has been removed. Export the list again to get a new one."
    ),
    keep=lambda: timedelta(days=settings.OMS_EXPORT_KEEP_DAYS),
)
