"""Invoices exported as one PDF: every invoice matching the invoice list's filters, each the
same document as its own print view. A small batch comes back in the request; a bigger one is
a file job (oms.filejobs, kind "billing.invoices") that a worker renders a chunk at a time
(oms.batch_pdf)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing import selectors
from billing.models import Invoice
from billing.printing import print_context
from oms.batch_pdf import (
    documents_progress_text,
    pdf_download_text,
    write_batched_pdf,
    write_pdf_chunk,
)
from oms.documents import render_document_html
from oms.errors import ServiceError
from oms.filejobs import FileJobKind, FileJobProgress, file_job_start
from oms.models import FileJob
from oms.types import AnyUser, User

KIND = "billing.invoices"
PERMISSION = "billing.view_invoice"
TEMPLATE = "billing/documents/invoice.html"


def printable_invoices(user: AnyUser, ids: list[int]) -> QuerySet[Invoice]:
    """The chosen invoices the user may see, by number, with their lines; held invoices (no
    number yet) are not documents to send."""
    return (
        selectors.invoices_visible_to(user)
        .filter(pk__in=ids)
        .exclude(number=None)
        .select_related("order", "customer", "shipment")
        .prefetch_related("lines")
        .order_by("number")
    )


def write_invoices(invoices: list[Invoice], out: IO[bytes]) -> int:
    title = _("Invoice")
    return write_pdf_chunk(
        (render_document_html(TEMPLATE, print_context(i, title), for_pdf=True) for i in invoices),
        out,
    )


def render_invoices_pdf(invoices: list[Invoice]) -> bytes:
    import io

    out = io.BytesIO()
    write_invoices(invoices, out)
    return out.getvalue()


def batch_write(job: FileJob, part: Path, progress: FileJobProgress) -> int:
    """The job's invoices as its user may see them now."""
    user = job.user
    if not user.is_active or not user.has_perm(PERMISSION):
        raise PermissionDenied(f"{user} may not see invoices")
    invoices = printable_invoices(user, job.parameters.get("invoices", []))
    ids = list(invoices.values_list("pk", flat=True))
    if not ids:
        raise ServiceError("none of the chosen invoices can be printed")
    done = write_batched_pdf(
        ids,
        load=lambda chunk: list(invoices.filter(pk__in=chunk)),
        write_chunk=write_invoices,
        part=part,
        progress=progress,
        chunk_size=settings.OMS_DOCUMENT_BATCH_CHUNK,
    )
    if done != len(ids):
        raise ServiceError(f"{done} of {len(ids)} invoices printed")
    return done


def batch_start(
    *, actor: User, invoice_ids: list[int], query_string: str, language: str
) -> FileJob:
    ids = sorted(printable_invoices(actor, invoice_ids).values_list("pk", flat=True))
    if not ids:
        raise ServiceError(_("No issued invoice matches these filters."))
    if len(ids) > settings.OMS_DOCUMENT_BATCH_MAX:
        raise ServiceError(
            _("At most %(count)s invoices print in one batch; narrow the filters.")
            % {"count": number_format(settings.OMS_DOCUMENT_BATCH_MAX, force_grouping=True)}
        )
    return file_job_start(
        user=actor,
        kind=KIND,
        path=reverse("billing:invoice_list"),
        list_name="billing:invoice_list",
        query_string=query_string,
        language=language,
        parameters={"invoices": ids},
    )


def _title(job: FileJob) -> str:
    count = len(job.parameters.get("invoices", []))
    return ngettext("Invoices: %(count)s invoice", "Invoices: %(count)s invoices", count) % {
        "count": number_format(count, force_grouping=True)
    }


INVOICE_BATCH = FileJobKind(
    code=KIND,
    suffix=".pdf",
    content_type="application/pdf",
    write=batch_write,
    title=_title,
    download_name=lambda job: f"invoices-{timezone.localtime(job.created_at):%Y%m%d-%H%M}.pdf",
    progress_text=documents_progress_text,
    download_text=pdf_download_text,
    failed_text=lambda: _(
        "The export did not finish, so no file was kept. Try again; if it fails again, "
        "export fewer invoices at once."
    ),
    removed_text=lambda: _("This export's file has been removed. Export the invoices again."),
    keep=lambda: timedelta(days=settings.OMS_DOCUMENT_BATCH_KEEP_DAYS),
)
