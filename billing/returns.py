"""Money for returned goods: credit what came back, and pay it back the way it was paid.

- `order_credit_returned`: credit notes for some units of an order's lines (a partial
  return), against the invoices that billed them (oldest first: an order on account has an
  invoice per shipment), with or without the shipping fee (the caller decides). A paid
  invoice gives back what it no longer needs to its receipts (billing.payments.payments_release).
- `credit_notes_refund`: pay back what those credit notes released, to each receipt that
  paid the invoice, by the receipt's own method (cash on delivery cannot be paid back through
  the carrier: a bank transfer), never more than the credit note released from that receipt
  and never more than the receipt still holds (the customer may have used the credit since).

Idempotency: the caller's key (a form renders one) marks the refund rows; the same key again
returns the refunds it made, also when two requests race (both wait on the customer's lock;
the second finds the first's rows). Another key for money already paid back is refused.

Locks, in billing's order: the order, its invoices by id (crediting); the customer, then the
receipts by id (refunding).
"""

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import CreditReason, InvoiceStatus, PaymentKind
from billing.choices import PaymentMethod as Method
from billing.models import CreditNote, Invoice, Payment, PaymentRelease
from billing.payment_status import orders_follow_payments
from billing.payments import REFUND_METHODS
from billing.refunds import refund_write
from billing.services import _credit, credit_shares, open_part
from customers.models import Customer
from oms.db import atomic_with_retry
from oms.errors import ServiceError
from oms.money import ZERO
from oms.types import User
from orders.models import Order

CREDITABLE = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_CREDITED)
MAX_KEY = 60  # Payment.idempotency_key holds 64: the key, "#" and the row's position


def _check_quantities(order: Order, quantities: dict[int, int]) -> dict[int, int]:
    """{order line no: units} with every line on the order and every quantity a whole number
    of at least 1; nothing asked for is refused."""
    lines = set(order.lines.values_list("line_no", flat=True))
    wanted: dict[int, int] = {}
    for line_no, quantity in quantities.items():
        if line_no not in lines:
            raise ServiceError(
                _("Order %(order)s has no line %(line)s.") % {"order": order, "line": line_no}
            )
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            raise ServiceError(_("Enter the units to credit as a whole number."))
        if quantity:
            wanted[line_no] = quantity
    if not wanted:
        raise ServiceError(_("Choose at least one unit to credit."))
    return wanted


@atomic_with_retry()
def order_credit_returned(
    *,
    actor: User | None,
    order: Order,
    quantities: dict[int, int],
    shipping: bool,
    note: str,
) -> list[CreditNote]:
    """Credit notes (reason: goods returned) for `quantities` of the order's lines, split over
    the invoices that still have those units open, oldest first; the shipping fee still open
    is credited too when `shipping`. Returns the credit notes, one per invoice touched."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    wanted = _check_quantities(order, quantities)
    invoices = list(
        Invoice.objects.select_for_update()
        .filter(order=order)
        .exclude(status=InvoiceStatus.CREDITED)
        .prefetch_related("lines", "credit_notes__lines")
        .order_by("pk")
    )
    held = [invoice for invoice in invoices if invoice.status == InvoiceStatus.HELD]
    invoices = [invoice for invoice in invoices if invoice.status in CREDITABLE]
    plan: dict[int, dict[int, int]] = {invoice.pk: {} for invoice in invoices}
    shipping_of: dict[int, Decimal] = {}
    left = dict(wanted)
    for invoice in invoices:
        open_lines, open_shipping = open_part(invoice)
        if shipping and open_shipping > 0:
            shipping_of[invoice.pk] = open_shipping
        for line_no, units in left.items():
            share = open_lines.get(line_no)
            take = min(units, share.quantity if share else 0)
            if take:
                plan[invoice.pk][line_no] = take
                left[line_no] = units - take
    short = {line_no: units for line_no, units in left.items() if units}
    if short:
        line_no, units = next(iter(sorted(short.items())))
        if held:
            raise ServiceError(
                _("%(invoice)s waits for the customer's fapiao details: issue it first.")
                % {"invoice": held[0]}
            )
        raise ServiceError(
            _("Line %(line)s has %(left)s units invoiced and not yet credited.")
            % {"line": line_no, "left": wanted[line_no] - units}
        )
    written = []
    for invoice in invoices:
        if not plan[invoice.pk] and invoice.pk not in shipping_of:
            continue
        written.append(
            _credit(
                invoice,
                credit_shares(invoice, plan[invoice.pk]),
                shipping=shipping_of.get(invoice.pk, ZERO),
                reason=CreditReason.RETURN,
                actor=actor,
                note=note,
            )
        )
    return written


def refund_method(receipt: Payment) -> str:
    """The way a receipt's money goes back: its own method, or a bank transfer for cash on
    delivery (the carrier collects, it does not pay out)."""
    return receipt.method if receipt.method in REFUND_METHODS else Method.BANK_TRANSFER


def _refunded(credit_note: CreditNote, receipt_id: int) -> Decimal:
    total = Payment.objects.filter(
        credit_note=credit_note, refund_of_id=receipt_id, kind=PaymentKind.REFUND
    ).aggregate(total=Sum("amount"))["total"]
    return -(total or ZERO)


def refunds_of_key(credit_notes: Sequence[CreditNote], key: str) -> list[Payment]:
    return list(
        Payment.objects.filter(
            kind=PaymentKind.REFUND,
            credit_note__in=credit_notes,
            idempotency_key__startswith=f"{key}#",
        ).order_by("pk")
    )


@atomic_with_retry()
def credit_notes_refund(
    *, actor: User | None, credit_notes: Sequence[CreditNote], idempotency_key: str
) -> list[Payment]:
    """Pay back what the credit notes released, receipt by receipt, by each receipt's method
    (see the module's docstring). Returns the refunds; the same key again returns them."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY:
        raise ServiceError(
            _("A refund needs an idempotency key of 1 to %(max)s characters.") % {"max": MAX_KEY}
        )
    notes = sorted({note.pk: note for note in credit_notes}.values(), key=lambda n: n.pk)
    if not notes:
        raise ServiceError(_("Choose the credit notes to refund."))
    if len({note.customer_id for note in notes}) > 1:
        raise ServiceError(_("A refund pays back one customer's credit notes."))
    Customer.objects.select_for_update().filter(pk=notes[0].customer_id).get()
    # After the customer's lock: a racing request with the same key has committed its rows.
    first = Payment.objects.filter(idempotency_key=f"{key}#1").first()
    if first is not None:
        if first.credit_note_id not in {note.pk for note in notes}:
            raise ServiceError(
                _("This refund key was already used for %(refund)s: nothing was paid back.")
                % {"refund": first}
            )
        return refunds_of_key(notes, key)
    releases = list(
        PaymentRelease.objects.filter(credit_note__in=notes).order_by(
            "credit_note_id", "payment_id"
        )
    )
    receipts = {
        receipt.pk: receipt
        for receipt in Payment.objects.select_for_update()
        .filter(pk__in={release.payment_id for release in releases})
        .order_by("pk")
    }
    by_pk = {note.pk: note for note in notes}
    refunds: list[Payment] = []
    for release in releases:
        note, receipt = by_pk[release.credit_note_id], receipts[release.payment_id]
        amount = min(release.amount - _refunded(note, receipt.pk), receipt.unapplied)
        if amount <= 0:
            continue
        refund = refund_write(
            actor=actor,
            receipt=receipt,
            note=note,
            amount=amount,
            method=refund_method(receipt),
            received_on=timezone.localdate(),
            idempotency_key=f"{key}#{len(refunds) + 1}",
        )
        refunds.append(refund)
    if not refunds:
        if Payment.objects.filter(credit_note__in=notes, kind=PaymentKind.REFUND).exists():
            raise ServiceError(
                _("%(notes)s is paid back already: nothing more to refund.")
                % {"notes": ", ".join(note.number for note in notes)}
            )
        raise ServiceError(
            _("Nothing of %(notes)s was paid (or the credit was used since): nothing to refund.")
            % {"notes": ", ".join(note.number for note in notes)}
        )
    orders_follow_payments({note.order_id for note in notes}, actor=actor)
    return refunds


def refundable_amount(credit_notes: Sequence[CreditNote]) -> Decimal:
    """What `credit_notes_refund` would pay back now (for the page, before the click)."""
    total = ZERO
    for release in PaymentRelease.objects.filter(credit_note__in=credit_notes).select_related(
        "payment", "credit_note"
    ):
        total += max(
            min(
                release.amount - _refunded(release.credit_note, release.payment_id),
                release.payment.unapplied,
            ),
            ZERO,
        )
    return total
