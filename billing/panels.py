"""The invoice chain on the order page: every invoice and credit note of the order, in the
order they were written, with what each asks for; the payments that settle them, the refunds
of its credit notes, and what is still open."""

from typing import Any

from django.http import HttpRequest

from billing.choices import InvoiceStatus
from billing.models import Invoice
from billing.payment_selectors import order_payments
from billing.selectors import order_documents
from oms.money import ZERO
from orders.models import Order


def order_documents_panel(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    documents = order_documents(order.pk)
    if not documents and order.confirmed_at is None:
        return None
    issued = [d for d in documents if isinstance(d, Invoice) and d.status != InvoiceStatus.HELD]
    return {
        "documents": documents,
        "order": order,
        "payments": order_payments(order.pk),
        "paid": sum((d.amount_paid for d in issued), ZERO),
        "balance": sum((d.open_amount for d in issued), ZERO),
    }
