"""Demo installment plans: a few on-account invoices split 30 % at issue and 70 % sixty days
later (billing.schedules), one of them with its first part paid, and an older one whose first
part is overdue, so the invoice page and aging show installments to a newcomer."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from billing.choices import InvoiceStatus, PaymentMethod
from billing.models import Installment, Invoice
from billing.payments import payment_record
from billing.schedules import invoice_schedule_set
from customers.choices import PaymentTerms
from oms.demo import SeedContext
from oms.money import round_money
from orders.choices import OrderStatus


def thirty_seventy(invoice: Invoice) -> list[tuple]:
    first = round_money(invoice.total * Decimal("0.3"))
    return [
        (invoice.issue_date, first),
        (invoice.issue_date + timedelta(days=60), invoice.total - first),
    ]


def seed_schedule_demo(context: SeedContext) -> None:
    if Installment.objects.filter(position=2).exists():
        return
    finance = context.users["finance"]
    today = timezone.localdate()
    candidates = list(
        Invoice.objects.filter(
            status=InvoiceStatus.ISSUED,
            payment_terms__in=(PaymentTerms.NET_30, PaymentTerms.NET_60),
            amount_paid=0,
            amount_credited=0,
            total__gte=Decimal("100.00"),
        )
        .exclude(order__status=OrderStatus.CANCELLED)
        .select_related("customer")
        .order_by("-issue_date", "pk")
    )
    older = [i for i in candidates if i.issue_date <= today - timedelta(days=10)]
    newer = [i for i in candidates if i not in older[:2]]
    planned: list[Invoice] = []
    # The first part of the older ones is overdue; of the newest, the first part is paid.
    for invoice in [*older[:2], *newer[:2]]:
        invoice_schedule_set(actor=finance, invoice=invoice, schedule=thirty_seventy(invoice))
        planned.append(invoice)
    if planned:
        invoice = planned[-1]
        first = invoice.installments.order_by("position").first()
        assert first is not None
        payment_record(
            actor=finance,
            customer=invoice.customer,
            amount=first.amount,
            method=PaymentMethod.BANK_TRANSFER,
            received_on=min(invoice.issue_date + timedelta(days=1), today),
            idempotency_key=f"demo-installment-{invoice.number}",
            reference=f"IN{invoice.pk:08d}",
            payer=invoice.buyer_name or invoice.customer.name,
            invoices=[invoice],
        )
    context.stdout.write(f"billing: {len(planned)} invoices with installment plans")
