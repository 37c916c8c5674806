"""Demo payments, after the demo invoices: part of the issued invoices paid in full, some in
part, by several methods; one over-payment left as the customer's credit; a credit note on a
paid invoice refunded, another kept as credit. Cash-on-delivery invoices are left to the COD
remittance import. Dated after each invoice's issue date, never after today."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from billing import services
from billing.choices import InvoiceStatus, PaymentMethod
from billing.models import Invoice, Payment
from billing.payments import payment_record
from billing.refunds import refund_create
from customers.choices import PaymentTerms
from oms.demo import SeedContext
from oms.money import round_money
from orders.choices import OrderStatus

METHODS = [
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.ALIPAY,
    PaymentMethod.WECHAT_PAY,
    PaymentMethod.BANK_TRANSFER,
    PaymentMethod.CARD,
    PaymentMethod.CASH,
]


def _pay(finance, invoice: Invoice, amount: Decimal, index: int) -> Payment:
    today = timezone.localdate()
    received = min(invoice.issue_date + timedelta(days=3 + index % 20), today)
    method = METHODS[index % len(METHODS)]
    return payment_record(
        actor=finance,
        customer=invoice.customer,
        amount=amount,
        method=method,
        received_on=received,
        idempotency_key=f"demo-{invoice.number}-{index}",
        reference=f"{method[:2].upper()}{invoice.pk:08d}{index:02d}",
        payer=invoice.buyer_name or invoice.customer.name,
        invoices=[invoice],
    )


def seed_payment_demo(context: SeedContext) -> None:
    if Payment.objects.exclude(idempotency_key__startswith="demo-prepaid-").exists():
        return
    finance = context.users["finance"]
    invoices = list(
        Invoice.objects.filter(status=InvoiceStatus.ISSUED)
        .exclude(payment_terms=PaymentTerms.COD)
        .exclude(order__status=OrderStatus.CANCELLED)
        .filter(amount_paid=0)  # dispatched prepaid orders were paid before they left
        .select_related("customer")
        .order_by("issue_date", "pk")
    )
    paid_in_full = []
    for index, invoice in enumerate(invoices):
        if index % 5 in (1, 3):
            continue  # open: the receivables and reminders have something to show
        if index % 5 == 4:
            _pay(finance, invoice, round_money(invoice.total * Decimal("0.4")), index)
        elif index % 11 == 0:
            # Paid too much: the rest stays the customer's credit.
            _pay(finance, invoice, invoice.total + Decimal("500.00"), index)
        else:
            _pay(finance, invoice, invoice.total, index)
            paid_in_full.append(invoice)
    # Credit notes on paid invoices: one refunded by the receipt's method, one kept as credit.
    credited = 0
    for invoice in reversed(paid_in_full):
        line = invoice.lines.order_by("position").first()
        if line is None:
            continue
        note = services.credit_note_create(
            actor=finance,
            invoice=invoice,
            quantities={line.order_line_no: 1},
            note="退货一件 One unit returned" if credited == 0 else "价格调整 Price correction",
        )
        if credited == 0:
            refund_create(actor=finance, credit_note=note)
        credited += 1
        if credited == 2:
            break
    context.stdout.write(
        f"billing: {Payment.objects.filter(kind='receipt').count()} payments, "
        f"{Payment.objects.filter(kind='refund').count()} refunds"
    )
