"""What an invoice or credit note prints: one context for the print view, its PDF and the
batch export, so all three are the same document."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import selectors
from oms.documents import barcode_svg


def print_context(doc, kind_title: str) -> dict:
    lines = list(doc.lines.all())
    return {
        "doc": doc,
        "lines": lines,
        "tax_summary": selectors.tax_summary(lines, doc),
        "net_with_shipping": doc.subtotal + doc.shipping_fee,
        "title": kind_title,
        "document_number": doc.number or _("held"),
        "barcode": barcode_svg(doc.number) if doc.number else "",
        "printed_at": timezone.localtime(),
        "back_url": doc.get_absolute_url(),
        "seller": {
            "name": settings.OMS_COMPANY_NAME,
            "taxpayer_id": settings.OMS_COMPANY_TAXPAYER_ID,
            "address": settings.OMS_COMPANY_ADDRESS,
            "bank": settings.OMS_COMPANY_BANK,
        },
    }
