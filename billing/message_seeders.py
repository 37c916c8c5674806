"""Demo: what customers were told about the latest demo invoices and payments
(billing.messages), in the outbox as sent when the invoice was issued or the payment
recorded."""

from datetime import datetime, timedelta

from django.db import transaction

from billing.choices import PaymentKind
from billing.messages import notify_invoice_issued, notify_payment_received
from billing.models import Invoice, Payment
from oms.demo import SeedContext, messages_as_told
from oms.messaging import messages_allowed
from oms.models import OutboxMessage
from orders.choices import PLATFORM_KINDS

TOLD = 10


def seed_billing_messages(context: SeedContext) -> None:
    """Idempotent: an invoice or payment already told is not told again."""
    written: dict[int, datetime] = {}

    def keep(row: OutboxMessage | None, moment: datetime | None) -> None:
        if row is not None and moment is not None:  # None: told before
            written[row.pk] = moment

    invoices = (
        Invoice.objects.filter(order__external_reference__startswith="DEMO-", number__isnull=False)
        .exclude(order__channel__kind__in=PLATFORM_KINDS)
        .select_related("order", "customer")
        .order_by("-issued_at", "-pk")[:TOLD]
    )
    payments = (
        Payment.objects.filter(kind=PaymentKind.RECEIPT, allocations__isnull=False)
        .exclude(allocations__invoice__order__channel__kind__in=PLATFORM_KINDS)
        .filter(allocations__invoice__order__external_reference__startswith="DEMO-")
        .distinct()
        .select_related("customer")
        .prefetch_related("allocations__invoice")
        .order_by("-created_at", "-pk")[:TOLD]
    )
    with transaction.atomic(), messages_allowed():
        for invoice in invoices:
            keep(notify_invoice_issued(invoice), invoice.issued_at)
        for payment in payments:
            settled = {a.invoice: a.amount for a in payment.allocations.all()}
            keep(
                notify_payment_received(payment, settled), payment.created_at + timedelta(minutes=2)
            )
        sent = messages_as_told(written, sent_after=40)
    if written:
        context.say(f"{len(written)} messages about the latest invoices and payments ({sent} sent)")
