from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet

from billing.models import CreditNote, Invoice
from customers.selectors import of_visible_customers
from oms.money import ZERO
from oms.types import AnyUser


def invoices_visible_to(user: AnyUser) -> QuerySet[Invoice]:
    """Invoices of the customers the user may see (sales with OMS_SALES_OWN_CUSTOMERS_ONLY:
    their own customers'); anything else answers 404."""
    return of_visible_customers(Invoice.objects.all(), user, "customer")


def credit_notes_visible_to(user: AnyUser) -> QuerySet[CreditNote]:
    return of_visible_customers(CreditNote.objects.all(), user, "customer")


def invoice_list(user: AnyUser) -> QuerySet[Invoice]:
    return invoices_visible_to(user).select_related("order", "customer")


def invoice_detail(pk: int, user: AnyUser) -> Invoice | None:
    return (
        invoices_visible_to(user)
        .select_related("order", "customer", "shipment", "issued_by")
        .prefetch_related("lines", "credit_notes__lines")
        .filter(pk=pk)
        .first()
    )


def credit_note_list(user: AnyUser) -> QuerySet[CreditNote]:
    return credit_notes_visible_to(user).select_related("invoice", "order", "customer")


def credit_note_detail(pk: int, user: AnyUser) -> CreditNote | None:
    return (
        credit_notes_visible_to(user)
        .select_related("invoice", "order", "customer", "issued_by")
        .prefetch_related("lines")
        .filter(pk=pk)
        .first()
    )


def order_documents(order_id: int) -> list:
    """An order's invoices and credit notes in the order they were written: the chain."""
    invoices = list(Invoice.objects.filter(order_id=order_id).select_related("shipment"))
    notes = list(CreditNote.objects.filter(order_id=order_id).select_related("invoice"))
    return sorted(invoices + notes, key=lambda d: d.created_at)


def tax_summary(lines, doc=None) -> list[dict]:
    """Per tax rate: net, tax and total of the lines (what a fapiao prints per rate), and of
    the document's shipping fee at its rate when it bears tax (documents written before the
    shipping was taxed leave it out, as they printed it)."""
    rows: dict[Decimal, dict] = defaultdict(lambda: {"net": ZERO, "tax": ZERO, "total": ZERO})
    for line in lines:
        row = rows[line.tax_rate]
        row["net"] += line.net_amount
        row["tax"] += line.tax_amount
        row["total"] += line.total
    if doc is not None and doc.shipping_fee and (doc.shipping_tax or doc.shipping_tax_rate):
        row = rows[doc.shipping_tax_rate]
        row["net"] += doc.shipping_fee
        row["tax"] += doc.shipping_tax
        row["total"] += doc.shipping_fee + doc.shipping_tax
    return [{"rate": rate, **rows[rate]} for rate in sorted(rows, reverse=True)]
