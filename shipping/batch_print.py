"""Batch printing: one PDF of the same document (packing lists, delivery notes or labels) for
many shipments chosen on the shipments list.

Each document is the same HTML as its on-screen print view (shipping.documents). A small batch
prints in the request; a bigger one is a file job (oms.filejobs, kind "shipping.documents")
that a worker renders OMS_DOCUMENT_BATCH_CHUNK documents at a time: each document is laid out
on its own (its page numbers count its own pages), the chunk's pages are written as one PDF
(fonts embedded once per chunk), and the chunks are joined with pypdf. Memory stays that of one
chunk whatever the batch's size; progress is saved after every chunk.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
from shipping import selectors
from shipping.documents import DOCUMENTS, ShipmentDocument, shipment_document_context
from shipping.models import Shipment, ShipmentLine

KIND = "shipping.documents"
# What may be printed for many shipments at once (the pick list has its wave page).
BATCH_DOCUMENTS = ("packing-list", "delivery-note", "label")
PERMISSION = "shipping.view_shipment"  # as for one shipment's documents

batch_document_choices = [(code, DOCUMENTS[code].title) for code in BATCH_DOCUMENTS]


def batch_document(code: str) -> ShipmentDocument:
    if code not in BATCH_DOCUMENTS:
        raise ServiceError(_("Choose a document to print."))
    return DOCUMENTS[code]


def printable_shipments(user: AnyUser, ids: Iterable[int]) -> QuerySet[Shipment]:
    """The chosen shipments the user may see, in shipment-number order, with what their
    documents print read in a few queries."""
    return (
        selectors.shipments_visible_to(user)
        .filter(pk__in=list(ids))
        .select_related("order__customer", "warehouse", "carrier_service__carrier")
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("product", "order_line"))
        )
        .order_by("number")
    )


def document_html(shipment: Shipment, document: ShipmentDocument) -> str:
    context = {
        **shipment_document_context(shipment, document),
        "OMS_COMPANY_NAME": settings.OMS_COMPANY_NAME,
    }
    return render_document_html(document.template, context, for_pdf=True)


def write_chunk(shipments: Iterable[Shipment], document: ShipmentDocument, out: IO[bytes]) -> int:
    """One WeasyPrint write for a chunk of documents; each is laid out on its own, so its
    "page 1 of 2" and footer are its own. Returns the number of pages."""
    return write_pdf_chunk((document_html(shipment, document) for shipment in shipments), out)


def render_batch_pdf(shipments: list[Shipment], document: ShipmentDocument) -> bytes:
    """A small batch's PDF, made in the request."""
    import io

    out = io.BytesIO()
    write_chunk(shipments, document, out)
    return out.getvalue()


def batch_write(job: FileJob, part: Path, progress: FileJobProgress) -> int:
    """A batch job's PDF: its shipments as its user may see them now, a chunk at a time."""
    user = job.user
    if not user.is_active or not user.has_perm(PERMISSION):
        raise PermissionDenied(f"{user} may not print shipment documents")
    document = batch_document(job.parameters.get("document", ""))
    shipments = printable_shipments(user, job.parameters.get("shipments", []))
    total = shipments.count()
    if not total:
        raise ServiceError("none of the chosen shipments can be printed")
    done = write_batched_pdf(
        list(shipments.values_list("pk", flat=True)),
        load=lambda chunk: list(shipments.filter(pk__in=chunk)),
        # Looked up on each call: tests replace write_chunk to break a chunk.
        write_chunk=lambda chunk, out: write_chunk(chunk, document, out),
        part=part,
        progress=progress,
        chunk_size=settings.OMS_DOCUMENT_BATCH_CHUNK,
    )
    if done != total:
        raise ServiceError(f"{done} of {total} documents printed")
    return done


def batch_start(
    *,
    actor: User,
    document: str,
    shipment_ids: list[int],
    path: str,
    query_string: str,
    language: str,
) -> FileJob:
    """Queue a batch of documents for a worker. Only shipments the user sees are taken."""
    batch_document(document)
    ids = sorted(printable_shipments(actor, shipment_ids).values_list("pk", flat=True))
    if not ids:
        raise ServiceError(_("Choose at least one shipment."))
    if len(ids) > settings.OMS_DOCUMENT_BATCH_MAX:
        raise ServiceError(
            _("At most %(count)s shipments print in one batch; narrow the filters.")
            % {"count": number_format(settings.OMS_DOCUMENT_BATCH_MAX, force_grouping=True)}
        )
    return file_job_start(
        user=actor,
        kind=KIND,
        path=path,
        list_name="shipping:list",
        query_string=query_string,
        language=language,
        parameters={"document": document, "shipments": ids},
    )


def _title(job: FileJob) -> str:
    code = job.parameters.get("document", "")
    name = DOCUMENTS[code].title if code in DOCUMENTS else _("Documents")
    count = len(job.parameters.get("shipments", []))
    return ngettext(
        "%(document)s: %(count)s shipment", "%(document)s: %(count)s shipments", count
    ) % {"document": name, "count": number_format(count, force_grouping=True)}


def _download_name(job: FileJob) -> str:
    code = job.parameters.get("document", "documents")
    return f"{code}-{timezone.localtime(job.created_at):%Y%m%d-%H%M}.pdf"


DOCUMENT_BATCH = FileJobKind(
    code=KIND,
    suffix=".pdf",
    content_type="application/pdf",
    write=batch_write,
    title=_title,
    download_name=_download_name,
    progress_text=documents_progress_text,
    download_text=pdf_download_text,
    failed_text=lambda: _(
        "Printing did not finish, so no file was kept. Try again; if it fails again, print "
        "fewer shipments at once."
    ),
    removed_text=lambda: _("This batch's file has been removed. Print the shipments again."),
    keep=lambda: timedelta(days=settings.OMS_DOCUMENT_BATCH_KEEP_DAYS),
)
