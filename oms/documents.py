"""Printed documents: one HTML template serves the screen's print view and the PDF."""

import mimetypes
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


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML

    html = render_document_html(template_name, context, request, for_pdf=True)
    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=static_only_fetcher).write_pdf()


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
