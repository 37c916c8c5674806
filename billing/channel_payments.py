"""Channel orders that arrive already paid (a Shopify order with financial_status paid, a
marketplace order): the platform collected the money, so billing records it when the order is
placed and puts it on the order's invoice as soon as there is one, so a prepaid channel order
is never stuck at the prepaid dispatch guard (billing.dispatch_guard).

- `record_channel_payment` listens to orders.hooks.order_placed (inside the intake's
  transaction): a receipt by "Collected by the platform", source "Paid on the sales channel",
  keyed `channel:<code>:<external id>` (the same order again records nothing), allocated to
  nothing yet: the order is invoiced at confirmation, by a worker, maybe after a review.
- `channel_payment_apply` is called when the order's invoice gets its number (billing.services:
  a new invoice, or a held one issued once the fapiao details are right; again after an
  amendment credited and re-invoiced it): the order's channel receipt settles what it can of it.
"""

import hashlib
from decimal import Decimal

from django.utils import timezone

from billing.choices import PaymentKind, PaymentMethod, PaymentSource
from billing.models import Invoice, Payment
from billing.payment_status import orders_follow_payments
from billing.payments import _allocate, payment_record
from oms.money import ZERO
from oms.services import audit_record
from oms.types import User
from orders.intake.channels import channel_names
from orders.models import Order


def channel_payment_key(order: Order) -> str:
    """The receipt's idempotency key: readable while it fits the column's 64 characters."""
    key = f"channel:{order.channel_id}:{order.external_reference}"
    if len(key) <= 64:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"channel:{order.channel_id}:#{digest}"[:64]


def record_channel_payment(order: Order, paid_amount: Decimal | None, reference: str) -> None:
    """orders.hooks.order_placed: record what the buyer paid on the platform, if anything."""
    if paid_amount is None or paid_amount <= 0 or not order.external_reference:
        return
    payment_record(
        actor=None,
        customer=order.customer,
        amount=paid_amount,
        method=PaymentMethod.PLATFORM,
        received_on=timezone.localdate(),
        idempotency_key=channel_payment_key(order),
        reference=reference,
        payer=channel_names([order.channel_id]).get(order.channel_id, order.channel_id),
        invoices=[],  # the order's invoice, once there is one: channel_payment_apply
        source=PaymentSource.CHANNEL,
        note=order.number,
        notify_customer=False,  # the platform acknowledged the payment to its buyer
    )


def channel_payment_apply(invoice: Invoice, *, actor: User | None) -> Decimal:
    """Settle the newly issued invoice (locked by the caller, with its order and customer)
    from its order's channel receipt. Returns the amount allocated."""
    order = invoice.order
    if not order.external_reference:
        return ZERO
    payment = (
        Payment.objects.select_for_update()
        .filter(
            idempotency_key=channel_payment_key(order),
            kind=PaymentKind.RECEIPT,
            source=PaymentSource.CHANNEL,
            customer_id=invoice.customer_id,
            unapplied__gt=0,
        )
        .first()
    )
    if payment is None:
        return ZERO
    amount = min(payment.unapplied, invoice.open_amount)
    if amount <= 0:
        return ZERO
    _allocate(payment, invoice, amount, new=False)
    payment.unapplied -= amount
    Payment.objects.filter(pk=payment.pk).update(unapplied=payment.unapplied)
    audit_record(
        actor=actor,
        action="payment.apply_credit",
        obj=payment,
        changes={"allocated": {invoice.number: amount}, "unapplied": payment.unapplied},
    )
    orders_follow_payments({order.pk}, actor=actor)
    return amount


def queue_refunded(refund: Payment, credit_note) -> None:
    """Tell the order's channel that money was paid back (orders' outbound webhooks), in the
    refund's transaction."""
    from orders.choices import WebhookEvent
    from orders.intake.outbound import listening_channel, order_ref, webhook_queue

    order = Order.objects.get(pk=credit_note.order_id)
    channel = listening_channel(order, WebhookEvent.REFUNDED)
    if channel is None:
        return
    webhook_queue(
        channel=channel,
        order=order,
        event=WebhookEvent.REFUNDED,
        key=f"{WebhookEvent.REFUNDED}:{refund.number}",
        payload={
            "order": order_ref(order),
            "refund": {
                "number": refund.number,
                "amount": -refund.amount,
                "method": refund.method,
                "credit_note": credit_note.number,
                "reason": credit_note.reason,
                "refunded_on": refund.received_on,
            },
        },
    )
