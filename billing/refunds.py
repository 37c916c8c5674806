"""Refunds: a negative payment tied to a credit note, paid back by the receipt's method from
what the credit note released (and is still unapplied). One refund per credit note. Locks
as every billing service (billing.payments): the customer, the order, then the payments."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import PAYMENT_SEQUENCE, PaymentKind
from billing.choices import PaymentSource as Source
from billing.models import CreditNote, Payment
from billing.payment_status import orders_follow_payments
from billing.payments import REFUND_METHODS, clean_amount
from customers.models import Customer
from oms.db import atomic_with_retry, next_document_number
from oms.errors import ServiceError
from oms.money import ZERO
from oms.services import audit_record
from oms.types import User
from orders.models import Order


def refundable(credit_note: CreditNote) -> tuple[Payment | None, Decimal]:
    """The receipt a refund of this credit note pays back and how much: what the credit note
    released from it, as far as it is still unapplied (the customer may have used it since).
    When several receipts paid the invoice, the one that can give back most."""
    if Payment.objects.filter(credit_note=credit_note, kind=PaymentKind.REFUND).exists():
        return None, ZERO
    best: tuple[Payment | None, Decimal] = (None, ZERO)
    for release in credit_note.releases.select_related("payment"):
        available = min(release.amount, release.payment.unapplied)
        if available > best[1]:
            best = (release.payment, available)
    return best


@atomic_with_retry()
def refund_create(
    *,
    actor: User | None,
    credit_note: CreditNote,
    amount=None,
    method: str | None = None,
    received_on: date | None = None,
) -> Payment:
    """Pay back what a credit note released: a negative payment by the receipt's method (or
    the one given), taken from the receipt's unapplied. A credit note is refunded once: of two
    refunds at the same time one wins, the other is refused."""
    Customer.objects.select_for_update().filter(pk=credit_note.customer_id).get()
    Order.objects.select_for_update().filter(pk=credit_note.order_id).values_list("pk").get()
    done = Payment.objects.filter(credit_note=credit_note, kind=PaymentKind.REFUND).first()
    if done is not None:
        raise ServiceError(
            _("%(note)s is refunded already (%(refund)s).") % {"note": credit_note, "refund": done}
        )
    receipt, available = refundable(credit_note)
    if receipt is None or available <= 0:
        raise ServiceError(
            _("Nothing of %(note)s was paid (or the credit was used since): nothing to refund.")
            % {"note": credit_note}
        )
    receipt = Payment.objects.select_for_update().get(pk=receipt.pk)
    wanted = available if amount in (None, "") else clean_amount(amount)
    if wanted > available:
        raise ServiceError(
            _("At most %(available)s of %(note)s can be refunded.")
            % {"available": available, "note": credit_note}
        )
    if method is None:
        method = receipt.method if receipt.method in REFUND_METHODS else "bank_transfer"
    if method not in REFUND_METHODS:
        raise ServiceError(_("Choose how the money is paid back."))
    refund = refund_write(
        actor=actor,
        receipt=receipt,
        note=credit_note,
        amount=wanted,
        method=method,
        received_on=received_on or timezone.localdate(),
        idempotency_key=f"refund:{credit_note.number}",
    )
    orders_follow_payments({credit_note.order_id}, actor=actor)
    from billing.channel_payments import queue_refunded

    queue_refunded(refund, credit_note)
    return refund


def refund_on_cancellation() -> bool:
    """Finance's default for a cancelled order's paid money: keep it as the customer's credit
    (False, the default) or refund it at once (OMS_REFUND_ON_CANCELLATION=true)."""
    return bool(getattr(settings, "OMS_REFUND_ON_CANCELLATION", False))


def refund_write(
    *,
    actor: User | None,
    receipt: Payment,
    note: CreditNote,
    amount: Decimal,
    method: str,
    received_on: date,
    idempotency_key: str,
) -> Payment:
    """Pay `amount` of a credit note back from a receipt (locked by the caller): the refund
    row, the receipt's unapplied part lowered by it, and the audit row. A key used already
    means the note was refunded by a racing request: ServiceError, nothing written."""
    refund = Payment(
        number=next_document_number("PAY", PAYMENT_SEQUENCE),
        customer_id=note.customer_id,
        kind=PaymentKind.REFUND,
        method=method,
        source=Source.MANUAL,
        amount=-amount,
        unapplied=ZERO,
        received_on=received_on,
        reference=note.number,
        idempotency_key=idempotency_key,
        refund_of=receipt,
        credit_note=note,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            refund.save()
    except IntegrityError:
        raise ServiceError(_("%(note)s is refunded already.") % {"note": note}) from None
    receipt.unapplied -= amount
    Payment.objects.filter(pk=receipt.pk).update(unapplied=receipt.unapplied)
    audit_record(
        actor=actor,
        action="payment.refund",
        obj=refund,
        changes={"credit_note": note.number, "receipt": receipt.number, "amount": amount},
    )
    return refund
