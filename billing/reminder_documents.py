"""What a reminder e-mail attaches, made by the outbox worker when it sends
(oms.registry.register_attachment_maker): an invoice's PDF, the same document as its print
view, in the language the worker sets (the customer's)."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import selectors
from billing.models import Invoice
from oms.documents import barcode_svg, render_pdf


def invoice_pdf(invoice_id: int) -> tuple[str, bytes, str]:
    doc = Invoice.objects.select_related("order", "customer").get(pk=invoice_id)
    lines = list(doc.lines.all())
    context = {
        "doc": doc,
        "object": doc,
        "lines": lines,
        "tax_summary": selectors.tax_summary(lines),
        "net_with_shipping": doc.subtotal + doc.shipping_fee,
        "title": _("Invoice"),
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
    pdf = render_pdf("billing/documents/invoice.html", context)
    return f"{doc.number}.pdf", pdf, "application/pdf"
