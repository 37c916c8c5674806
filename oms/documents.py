"""Printed documents: one HTML template serves the screen's print view and the PDF."""

import gc
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO

import barcode
from barcode.writer import SVGWriter
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe

STATIC_PREFIX = "oms-static:"


def static_only_fetcher(url: str, *args, **kwargs) -> dict:
    """Serve our own static files to WeasyPrint and refuse everything else.

    Text typed by users ends up in documents; this keeps it from making the renderer read
    local files or reach the network.
    """
    if url.startswith(STATIC_PREFIX):
        path = finders.find(url.removeprefix(STATIC_PREFIX).lstrip("/"))
        if path:
            with open(path, "rb") as handle:
                return {
                    "string": handle.read(),
                    "mime_type": mimetypes.guess_type(path)[0] or "application/octet-stream",
                }
    raise ValueError(f"documents may not load {url!r}")


def render_document_html(
    template_name: str, context: dict, request=None, *, for_pdf: bool = False
) -> str:
    return render_to_string(template_name, {**context, "for_pdf": for_pdf}, request=request)


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off while WeasyPrint lays out and draws.

    A long document makes hundreds of thousands of boxes that live until the PDF is written;
    the collector would walk them again and again (a fifth of a 1,000-row pick list's time)
    and find nothing to free. Threads of one worker may print at once: the collector comes
    back when the last of them is done, and only if it was on before.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def html_to_pdf(html: str) -> bytes:
    """A printed document's HTML as PDF, loading nothing but our static files."""
    from weasyprint import HTML

    with gc_paused():
        document = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=static_only_fetcher)
        return document.write_pdf()


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    return html_to_pdf(render_document_html(template_name, context, request, for_pdf=True))


def pdf_response(pdf: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    # RFC 6266/5987: any character (quotes, Chinese) in the name survives.
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or ""
    return response


def barcode_svg(value: str) -> str:
    """A Code 128 barcode as inline SVG, readable by warehouse scanners."""
    out = BytesIO()
    barcode.Code128(value, writer=SVGWriter()).write(
        out,
        options={
            "write_text": False,
            "module_height": 8,
            "module_width": 0.25,
            "font_size": 0,
            "quiet_zone": 1,
            "text_distance": 0,
        },
    )
    svg = out.getvalue().decode()
    # Presentation attributes instead of inline styles: HTML's CSS knows no `fill`.
    svg = svg.replace('style="fill:black;"', 'fill="black"').replace(
        'style="fill:white"', 'fill="white"'
    )
    # No id: a page with several barcodes (labels, a batch of documents) would repeat it.
    svg = svg.replace(' id="barcode_group"', "")
    return mark_safe(svg[svg.index("<svg") :])


def qr_svg(value: str) -> str:
    """A QR code as inline SVG (drawn here, nothing fetched), sized by the page's CSS."""
    import segno

    svg = segno.make(value, error="m", micro=False).svg_inline(omitsize=True, border=2)
    return mark_safe(svg)
