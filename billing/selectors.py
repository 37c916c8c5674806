from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from billing.choices import OPEN_STATUSES
from billing.models import CreditNote, Invoice
from customers.choices import PaymentTerms
from customers.selectors import of_visible_customers
from oms.money import ZERO
from oms.types import AnyUser
from orders.choices import OrderStatus as S
from orders.models import Order
from shipping.choices import DISPATCHED_STATUSES
from shipping.models import Shipment


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


def orders_behind(limit: int = 500) -> list[int]:
    """Orders whose documents the hooks' tasks may have missed (a broker outage): prepaid
    orders confirmed without an invoice, dispatched shipments without one, cancelled orders
    with an invoice still open."""
    invoiced = Invoice.objects.filter(order=OuterRef("pk"))
    prepaid = (
        Order.objects.filter(payment_terms=PaymentTerms.PREPAID, confirmed_at__isnull=False)
        .exclude(status__in=(S.DRAFT, S.PENDING_REVIEW, S.CANCELLED))
        .filter(~Exists(invoiced))
        .values_list("pk", flat=True)[:limit]
    )
    shipped = (
        Shipment.objects.filter(status__in=DISPATCHED_STATUSES, invoices__isnull=True)
        .exclude(order__payment_terms=PaymentTerms.PREPAID)
        .values_list("order_id", flat=True)[:limit]
    )
    cancelled = Invoice.objects.filter(
        order__status=S.CANCELLED, status__in=OPEN_STATUSES
    ).values_list("order_id", flat=True)[:limit]
    return sorted(set(prepaid) | set(shipped) | set(cancelled))
