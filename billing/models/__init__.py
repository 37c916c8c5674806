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
from billing.models.margin import MarginReport
from billing.models.payments import Installment, Payment, PaymentAllocation, PaymentRelease
from billing.models.receivables import CustomerReceivable
from billing.models.reminders import CustomerDunning, DunningSettings, Reminder, ReminderLevel
from billing.models.statements import (
    BankStatement,
    BankStatementLine,
    CodRemittance,
    CodRemittanceLine,
)

__all__ = [
    "MONEY",
    "Amounts",
    "BankStatement",
    "BankStatementLine",
    "BuyerDetails",
    "CodRemittance",
    "CodRemittanceLine",
    "CreditNote",
    "CreditNoteLine",
    "CustomerDunning",
    "CustomerReceivable",
    "DocumentLine",
    "DunningSettings",
    "Installment",
    "Invoice",
    "InvoiceLine",
    "MarginReport",
    "Payment",
    "PaymentAllocation",
    "PaymentRelease",
    "Reminder",
    "ReminderLevel",
]
