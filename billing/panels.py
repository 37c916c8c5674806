"""The invoice chain on the order page: every invoice and credit note of the order, in the
order they were written, with what each asks for."""

from typing import Any

from django.http import HttpRequest

from billing.selectors import order_documents
from orders.models import Order


def order_documents_panel(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    documents = order_documents(order.pk)
    if not documents and order.confirmed_at is None:
        return None
    return {"documents": documents, "order": order}
