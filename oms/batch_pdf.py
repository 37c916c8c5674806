"""One PDF of many printed documents (packing lists, invoices): the same HTML as each
document's print view, laid out one document at a time so its page numbers are its own, a
chunk of documents written per WeasyPrint call (fonts embedded once per chunk), the chunks
joined with pypdf. Memory stays that of one chunk whatever the batch's size."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oms.documents import STATIC_PREFIX, gc_paused, static_only_fetcher
from oms.filejobs import FileJobProgress
from oms.models import FileJob


def write_pdf_chunk(htmls: Iterable[str], out: IO[bytes]) -> int:
    """One WeasyPrint write for these documents' HTML; returns the number of pages."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()  # one font set-up for the chunk rather than one per document
    with gc_paused():
        rendered = [
            HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=static_only_fetcher).render(
                font_config=fonts
            )
            for html in htmls
        ]
        pages = [page for doc in rendered for page in doc.pages]
        rendered[0].copy(pages).write_pdf(out)
    return len(pages)


def write_batched_pdf(
    ids: Sequence[int],
    *,
    load: Callable[[list[int]], list[Any]],
    write_chunk: Callable[[list[Any], IO[bytes]], int],
    part: Path,
    progress: FileJobProgress,
    chunk_size: int,
) -> int:
    """Write the documents of `ids` to `part`, `chunk_size` at a time: `load(chunk_ids)` reads
    a chunk's objects (with what they print), `write_chunk(objects, out)` writes them. Progress
    is saved after every chunk. Returns how many documents were written."""
    from pypdf import PdfWriter

    total = len(ids)
    progress.report(0, total, force=True)
    done = 0
    writer = PdfWriter()
    keys = iter(ids)
    with tempfile.TemporaryDirectory(dir=part.parent) as folder:
        number = 0
        while chunk_ids := list(islice(keys, chunk_size)):
            objects = load(chunk_ids)
            chunk_path = Path(folder) / f"{number:05d}.pdf"
            with open(chunk_path, "wb") as out:
                write_chunk(objects, out)
            writer.append(str(chunk_path))
            done += len(objects)
            number += 1
            progress.report(done, total, force=True)
        with open(part, "wb") as out:
            writer.write(out)
    writer.close()
    return done


def documents_progress_text(done: int, total: int) -> str:
    """A batch's progress line (FileJobKind.progress_text)."""
    return _("%(done)s of %(total)s documents") % {
        "done": number_format(done, force_grouping=True),
        "total": number_format(total, force_grouping=True),
    }


def pdf_download_text(job: FileJob) -> str:
    """A finished batch's download link (FileJobKind.download_text)."""
    return ngettext(
        "Download the PDF (%(shown)s document)",
        "Download the PDF (%(shown)s documents)",
        job.items_done,
    ) % {"shown": number_format(job.items_done, force_grouping=True)}
