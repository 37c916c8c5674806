"""Billing's tables: tax documents (documents.py) and money received and paid back
(payments.py)."""

from billing.models.documents import (
    MONEY,
    Amounts,
    BuyerDetails,
    CreditNote,
    CreditNoteLine,
    DocumentLine,
    Invoice,
    InvoiceLine,
)
from billing.models.margin import MarginReport
from billing.models.payments import Installment, Payment, PaymentAllocation

__all__ = [
    "MONEY",
    "Amounts",
    "BuyerDetails",
    "CreditNote",
    "CreditNoteLine",
    "DocumentLine",
    "Installment",
    "Invoice",
    "InvoiceLine",
    "MarginReport",
    "Payment",
    "PaymentAllocation",
]
