"""Billing's section of the customer's order page (/track/<token>/): what the customer has
paid, in plain words, and the order's invoices and credit notes as PDF downloads.

A download's address is /track/<token>/invoices/<number>.pdf: the document is looked up among
the token's order's own documents, so a token reaches nothing else (another order's number
answers like an unknown link, and counts as a miss). The PDF is the one finance prints
(billing.printing + the same template), rendered on request.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from billing.choices import InvoiceStatus
from billing.models import CreditNote, Invoice
from billing.payment_status import payment_figures
from billing.printing import print_context
from oms.documents import pdf_response, render_pdf
from oms.money import ZERO
from oms.ratelimit import client_address, count_hit
from oms.texts import money_text
from orders.choices import OrderStatus, PaymentStatus
from orders.models import Order
from shipping.public_views import HOUR, PublicOrderView

P = PaymentStatus
PAYMENT_TITLES: dict[str, Any] = {
    P.UNPAID: pgettext_lazy("customer payment", "Not paid yet"),
    P.PARTIALLY_PAID: pgettext_lazy("customer payment", "Partly paid"),
    P.PAID: pgettext_lazy("customer payment", "Paid"),
    P.PARTIALLY_REFUNDED: pgettext_lazy("customer payment", "Partly refunded"),
    P.REFUNDED: pgettext_lazy("customer payment", "Refunded"),
}
PAYMENT_TONES = {
    P.UNPAID: "amber",
    P.PARTIALLY_PAID: "amber",
    P.PAID: "green",
    P.PARTIALLY_REFUNDED: "blue",
    P.REFUNDED: "blue",
}


@dataclass(frozen=True)
class PublicDocument:
    kind: Any
    number: str
    date: Any
    total: Decimal
    url: str


def _payment_words(order: Order, billed: Decimal, paid: Decimal, refunded: Decimal) -> str:
    status = order.payment_status
    if status == P.PAID:
        return _("Thank you: we have received your payment of %(paid)s.") % {
            "paid": money_text(paid)
        }
    if status == P.PARTIALLY_PAID:
        return _("We have received %(paid)s; %(due)s is still to pay.") % {
            "paid": money_text(paid),
            "due": money_text(max(billed - paid, ZERO)),
        }
    if status in (P.PARTIALLY_REFUNDED, P.REFUNDED):
        return _("%(refunded)s has been paid back to you.") % {"refunded": money_text(refunded)}
    if billed > 0:
        return _("%(due)s is to pay, as on the invoice below.") % {"due": money_text(billed)}
    return _("Nothing to pay yet: the invoice comes with your order.")


def payment_section(order: Order, request: HttpRequest) -> dict[str, Any] | None:
    """Payment in plain words and the documents; left out for an order that was never
    billed and will not be (cancelled, nothing paid)."""
    invoices = list(
        Invoice.objects.filter(order=order, number__isnull=False)
        .exclude(status=InvoiceStatus.HELD)
        .only("number", "issue_date", "total", "due_date", "created_at")
        .order_by("created_at", "id")
    )
    notes = list(
        CreditNote.objects.filter(order=order)
        .only("number", "issue_date", "total", "created_at")
        .order_by("created_at", "id")
    )
    if order.status == OrderStatus.CANCELLED and not invoices and not notes:
        return None
    billed, paid, refunded = payment_figures(order.pk)
    token = order.public_token
    documents = [
        PublicDocument(
            kind=pgettext_lazy("customer document", "Invoice"),
            number=doc.number,
            date=doc.issue_date,
            total=doc.total,
            url=reverse("billing:track_document", args=[token, doc.number]),
        )
        for doc in invoices
    ] + [
        PublicDocument(
            kind=pgettext_lazy("customer document", "Credit note"),
            number=doc.number,
            date=doc.issue_date,
            total=doc.total,
            url=reverse("billing:track_document", args=[token, doc.number]),
        )
        for doc in notes
    ]
    return {
        "title": PAYMENT_TITLES.get(order.payment_status, PAYMENT_TITLES[P.UNPAID]),
        "tone": PAYMENT_TONES.get(order.payment_status, "amber"),
        "words": _payment_words(order, billed, paid, refunded),
        "documents": documents,
    }


def _document(order: Order, number: str) -> tuple[Any, Any] | None:
    """The order's own issued invoice or credit note of this number, ready to print."""
    invoice = (
        Invoice.objects.filter(order=order, number=number)
        .exclude(status=InvoiceStatus.HELD)
        .select_related("order", "customer")
        .prefetch_related("lines")
        .first()
    )
    if invoice is not None:
        return invoice, gettext_lazy("Invoice")
    note = (
        CreditNote.objects.filter(Q(order=order) & Q(number=number))
        .select_related("invoice", "order", "customer")
        .prefetch_related("lines")
        .first()
    )
    return (note, gettext_lazy("Credit note")) if note is not None else None


class DocumentPdfView(PublicOrderView):
    http_method_names = ["get", "head"]

    def get_order(self, request: HttpRequest, order: Order, number: str) -> HttpResponse:
        found = _document(order, number) if len(number) <= 20 else None
        if found is None:
            # Like a wrong link: the same page, and it counts towards the misses.
            count_hit("track-miss", client_address(request), window=HOUR)
            return render(request, "shipping/track/not_found.html", status=404)
        doc, title = found
        pdf = render_pdf("billing/documents/invoice.html", print_context(doc, title), request)
        return pdf_response(pdf, f"{doc.number}.pdf", inline=False)


track_document = DocumentPdfView.as_public_view()
