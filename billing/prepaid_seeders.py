"""Demo: every prepaid order that left the warehouse was paid before it left.

seed_demo writes history app by app, so the shipping seeder dispatched prepaid demo orders
before any invoice existed (oms.demo.writing_history lets billing's dispatch guard through
while it does). Once the invoices exist, this pays each such order's open invoices in full,
dated on the order's first dispatch day at the latest, so the demo tells the same story the
guard enforces afterwards; tests/oms/test_seed_demo.py checks it.
"""

from django.db.models import Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing.choices import InvoiceStatus, PaymentMethod
from billing.models import Invoice
from billing.payments import payment_record
from customers.choices import PaymentTerms
from oms.demo import SeedContext
from shipping.choices import DISPATCHED_STATUSES
from shipping.models import Shipment

METHODS = [PaymentMethod.BANK_TRANSFER, PaymentMethod.ALIPAY, PaymentMethod.WECHAT_PAY]


def dispatched_prepaid_days() -> dict[int, object]:
    """{prepaid order id: the day its first shipment left (or was collected)}."""
    rows = (
        Shipment.objects.filter(
            status__in=DISPATCHED_STATUSES, order__payment_terms=PaymentTerms.PREPAID
        )
        .values("order_id")
        .annotate(first=Min(Coalesce("dispatched_at", "delivered_at")))
        .values_list("order_id", "first")
    )
    return {order_id: timezone.localdate(first) for order_id, first in rows if first}


def dispatched_prepaid_customers() -> set[int]:
    return set(
        Shipment.objects.filter(
            status__in=DISPATCHED_STATUSES, order__payment_terms=PaymentTerms.PREPAID
        ).values_list("order__customer_id", flat=True)
    )


def seed_prepaid_payments(context: SeedContext) -> int:
    """Pay the open invoices of every dispatched prepaid demo order; returns how many."""
    finance = context.users["finance"]
    days = dispatched_prepaid_days()
    invoices = (
        Invoice.objects.filter(
            order_id__in=days,
            status__in=(InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_CREDITED),
        )
        .select_related("customer")
        .order_by("issue_date", "pk")
    )
    paid = 0
    for index, invoice in enumerate(invoices):
        amount = invoice.open_amount
        if amount <= 0:
            continue
        received = max(invoice.issue_date, min(days[invoice.order_id], timezone.localdate()))
        method = METHODS[index % len(METHODS)]
        payment_record(
            actor=finance,
            customer=invoice.customer,
            amount=amount,
            method=method,
            received_on=received,
            idempotency_key=f"demo-prepaid-{invoice.number}",
            reference=f"PP{invoice.pk:08d}",
            payer=invoice.buyer_name or invoice.customer.name,
            invoices=[invoice],
        )
        paid += 1
    return paid
