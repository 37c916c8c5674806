"""Billing's tables: tax documents (documents.py) and money received and paid back
(payments.py), overdue reminders and credit hold (reminders.py)."""

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
from billing.models.payments import Installment, Payment, PaymentAllocation
from billing.models.reminders import CustomerDunning, DunningSettings, Reminder, ReminderLevel

__all__ = [
    "MONEY",
    "Amounts",
    "BuyerDetails",
    "CreditNote",
    "CreditNoteLine",
    "CustomerDunning",
    "DocumentLine",
    "DunningSettings",
    "Installment",
    "Invoice",
    "InvoiceLine",
    "Payment",
    "PaymentAllocation",
    "Reminder",
    "ReminderLevel",
]
