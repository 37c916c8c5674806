"""Reading payments: what a user may see (sales: their own customers'), a payment's page, and
the allocations and refunds shown on invoices, credit notes and the order's panel."""

from django.db.models import QuerySet

from billing.choices import PaymentKind
from billing.models import CreditNote, Invoice, Payment, PaymentAllocation
from customers.selectors import of_visible_customers
from oms.types import AnyUser


def payments_visible_to(user: AnyUser) -> QuerySet[Payment]:
    return of_visible_customers(Payment.objects.all(), user, "customer")


def payment_list(user: AnyUser) -> QuerySet[Payment]:
    return payments_visible_to(user).select_related("customer")


def payment_detail(pk: int, user: AnyUser) -> Payment | None:
    return (
        payments_visible_to(user)
        .select_related("customer", "refund_of", "credit_note", "shipment", "created_by")
        .filter(pk=pk)
        .first()
    )


def allocations_of_payment(payment: Payment) -> QuerySet[PaymentAllocation]:
    return payment.allocations.select_related("invoice__order").order_by("id")


def allocations_of_invoice(invoice: Invoice) -> QuerySet[PaymentAllocation]:
    return invoice.allocations.select_related("payment").order_by("id")


def refunds_of_credit_note(credit_note: CreditNote) -> QuerySet[Payment]:
    return Payment.objects.filter(credit_note=credit_note, kind=PaymentKind.REFUND)


def order_payments(order_id: int) -> list[dict]:
    """The receipts settling an order's invoices and the refunds of its credit notes, newest
    first, as rows for the order's invoice panel."""
    rows = [
        {
            "payment": allocation.payment,
            "invoice": allocation.invoice,
            "amount": allocation.amount,
        }
        for allocation in PaymentAllocation.objects.filter(invoice__order_id=order_id)
        .select_related("payment", "invoice")
        .order_by("-payment__received_on", "-id")
    ]
    rows += [
        {"payment": refund, "invoice": None, "amount": refund.amount}
        for refund in Payment.objects.filter(
            credit_note__order_id=order_id, kind=PaymentKind.REFUND
        ).select_related("credit_note")
    ]
    return rows
