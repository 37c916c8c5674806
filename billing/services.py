"""Invoices and credit notes from orders, by the payment terms.

One service, `order_bill`, brings an order's documents in line with the order: it runs after
every change the hooks report (confirmed, amended, cancelled, remainder cancelled, a shipment
dispatched), in its own short transaction after the order's has committed, and a periodic job
runs it for any order it missed. It is idempotent: run twice, it issues nothing the second time.

- Prepaid: one invoice for the whole order once it is confirmed. When the order changes
  afterwards, a credit note for the difference if only quantities went down (same prices),
  otherwise a credit note for everything still open and a new invoice. A cancelled order gets a
  full credit note; what was paid stays the customer's credit, or is refunded at once when
  OMS_REFUND_ON_CANCELLATION is set (billing.payments).
- On account (net 15/30/60) and cash on delivery: an invoice per dispatched shipment for the
  shipment's share of each line; the shipping fee goes on the order's first invoice.
- The shipping fee is net; its VAT (the order's `shipping_tax`, at `shipping_tax_rate`) goes
  with it on the same invoice, in tax_total, and a credit note that credits the fee credits its
  tax (the whole open tax with the whole open fee).
- Shares of a line are rounded to the cent with OMS_ROUNDING; the document that takes the last
  units of a line takes what is left, so the documents of an order add up to the order exactly.

Locks: the customer row, then the order row (billing.payments.lock_customer_and_order: the
order payments lock in too), then the invoices, then the gapless counter of the series (oms.numbering), taken just
before the document is written, so documents of one series wait on each other only for the
rest of a short transaction.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from billing.channel_payments import channel_payment_apply
from billing.choices import (
    CREDIT_NOTE_SERIES,
    INVOICE_SERIES,
    OPEN_STATUSES,
    CreditReason,
    InvoiceStatus,
)
from billing.installments import installments_create, installments_credit
from billing.messages import notify_invoice_issued
from billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from billing.payment_status import orders_follow_payments
from billing.payments import lock_customer_and_order, payments_release
from billing.refunds import refund_create, refund_on_cancellation, refundable
from billing.shares import Share, part_of, whole_line
from customers.choices import PaymentTerms
from oms.db import atomic_with_retry
from oms.errors import ServiceError
from oms.money import ZERO, round_money
from oms.numbering import format_document_number, next_gapless_number
from oms.services import audit_record
from oms.types import User
from orders.choices import OrderStatus
from orders.models import Order, OrderLine
from shipping.choices import DISPATCHED_STATUSES
from shipping.models import Shipment

S = OrderStatus
DUE_DAYS = {PaymentTerms.NET_15: 15, PaymentTerms.NET_30: 30, PaymentTerms.NET_60: 60}


def _line_shares(lines: Iterable) -> dict[int, Share]:
    """Document lines (invoice or credit note) as shares by order line number."""
    shares: dict[int, Share] = {}
    for line in lines:
        share = Share(
            line_no=line.order_line_no,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
            discount=line.discount,
            net=line.net_amount,
            tax=line.tax_amount,
        )
        known = shares.get(share.line_no)
        shares[share.line_no] = known.plus(share) if known else share
    return shares


def open_part(invoice: Invoice) -> tuple[dict[int, Share], Decimal]:
    """What an invoice still asks for: its lines less its credit notes', and its shipping."""
    shares = _line_shares(invoice.lines.all())
    shipping = invoice.shipping_fee
    for note in invoice.credit_notes.all():
        shipping -= note.shipping_fee
        for line_no, credited in _line_shares(note.lines.all()).items():
            shares[line_no] = shares[line_no].minus(credited)
    return {n: s for n, s in shares.items() if s.quantity or s.total}, shipping


def open_shipping_tax(invoice: Invoice) -> Decimal:
    """The shipping's tax an invoice still asks for (its credit notes are prefetched)."""
    return invoice.shipping_tax - sum((n.shipping_tax for n in invoice.credit_notes.all()), ZERO)


def _lines_of(shares: Iterable[Share], model, **parent) -> list:
    return [
        model(
            position=position,
            order_line_no=share.line_no,
            sku=share.sku,
            description=share.description,
            quantity=share.quantity,
            unit_price=share.unit_price,
            discount=share.discount,
            tax_rate=share.tax_rate,
            net_amount=share.net,
            tax_amount=share.tax,
            total=share.total,
            **parent,
        )
        for position, share in enumerate(sorted(shares, key=lambda s: s.line_no), start=1)
    ]


def due_date(terms: str, issued: date) -> date:
    """Net terms count from the invoice date; prepaid and cash on delivery are due at once."""
    return issued + timedelta(days=DUE_DAYS.get(PaymentTerms(terms), 0))


def _take_number(invoice: Invoice, actor: User | None, on: date | None = None) -> None:
    """Give a held invoice its gapless number, date and the customer's fapiao details. The
    caller holds the order lock and saves the invoice in the same transaction."""
    today = on or timezone.localdate()
    invoice.copy_buyer(invoice.customer)
    invoice.issue_date = today
    invoice.due_date = due_date(invoice.payment_terms, today)
    invoice.number = format_document_number(
        INVOICE_SERIES, today.year, next_gapless_number(INVOICE_SERIES, year=today.year)
    )
    invoice.status = InvoiceStatus.ISSUED
    invoice.hold_reason = ""
    invoice.issued_at = timezone.now()
    invoice.issued_by = actor


def _new_invoice(
    order: Order,
    shares: list[Share],
    *,
    shipping: Decimal,
    shipment: Shipment | None = None,
    actor: User | None,
    strict: bool,
    on: date | None = None,
) -> Invoice:
    """Write an invoice for these shares. A customer whose fapiao details are missing gets a
    held invoice (no number) that finance issues once the details are right; asked for by a
    person (`strict`), it is refused with the reason instead."""
    customer = order.customer
    problem = customer.fapiao_problem()
    if problem and strict:
        raise ServiceError(problem)
    subtotal = sum((s.net for s in shares), ZERO)
    # The shipping's tax goes with the fee: the order's, when this invoice carries the fee.
    shipping_tax = order.shipping_tax if shipping else ZERO
    tax = sum((s.tax for s in shares), ZERO) + shipping_tax
    invoice = Invoice(
        order=order,
        shipment=shipment,
        customer=customer,
        payment_terms=order.payment_terms,
        subtotal=subtotal,
        tax_total=tax,
        shipping_fee=shipping,
        shipping_tax=shipping_tax,
        shipping_tax_rate=order.shipping_tax_rate if shipping else ZERO,
        total=subtotal + tax + shipping,
    )
    if problem:
        invoice.status = InvoiceStatus.HELD
        invoice.hold_reason = problem[:300]
    else:
        _take_number(invoice, actor, on)
    invoice.save()
    InvoiceLine.objects.bulk_create(_lines_of(shares, InvoiceLine, invoice=invoice))
    if invoice.number:
        installments_create(invoice)
    audit_record(
        actor=actor,
        action="invoice.issue" if invoice.number else "invoice.hold",
        obj=invoice,
        changes={"order": order.number, "total": invoice.total},
    )
    if invoice.number and invoice.total == 0:
        # Nothing to pay (a replacement sent at no charge): the order is settled at once.
        orders_follow_payments({order.pk}, actor=actor)
    elif invoice.number:
        channel_payment_apply(invoice, actor=actor)  # paid on the platform already
    notify_invoice_issued(invoice)
    return invoice


def _credit(
    invoice: Invoice,
    shares: list[Share],
    *,
    shipping: Decimal,
    reason: str,
    actor: User | None,
    note: str = "",
    on: date | None = None,
    shipping_tax: Decimal | None = None,
) -> CreditNote:
    """A credit note against an issued invoice, for these shares of it. The shipping fee
    credited takes its tax along: all the open tax with all the open fee, otherwise
    `shipping_tax` (what the caller worked out) or the fee at the invoice's shipping rate."""
    today = on or timezone.localdate()
    subtotal = sum((s.net for s in shares), ZERO)
    if shipping_tax is None:
        open_fee = open_part(invoice)[1]
        shipping_tax = (
            open_shipping_tax(invoice)
            if shipping == open_fee
            else round_money(shipping * invoice.shipping_tax_rate)
        )
    tax = sum((s.tax for s in shares), ZERO) + shipping_tax
    total = subtotal + tax + shipping
    if total <= 0:
        raise ServiceError(_("A credit note must credit something."))
    creditable = invoice.total - invoice.amount_credited
    if total > creditable:
        raise ServiceError(
            _("%(invoice)s has only %(open)s left to credit.")
            % {"invoice": invoice, "open": creditable}
        )
    credit_note = CreditNote(
        invoice=invoice,
        order_id=invoice.order_id,
        customer_id=invoice.customer_id,
        reason=reason,
        note=note[:300],
        issue_date=today,
        issued_by=actor,
        subtotal=subtotal,
        tax_total=tax,
        shipping_fee=shipping,
        shipping_tax=shipping_tax,
        shipping_tax_rate=invoice.shipping_tax_rate if shipping_tax else ZERO,
        total=total,
    )
    credit_note.copy_buyer_of(invoice)
    credit_note.number = format_document_number(
        CREDIT_NOTE_SERIES, today.year, next_gapless_number(CREDIT_NOTE_SERIES, year=today.year)
    )
    credit_note.save()
    CreditNoteLine.objects.bulk_create(_lines_of(shares, CreditNoteLine, credit_note=credit_note))
    # What was paid beyond what the invoice now asks for goes back to the customer's credit.
    fresh = (
        Invoice.objects.select_for_update()
        .only("amount_paid", "amount_credited")
        .get(pk=invoice.pk)
    )
    invoice.amount_paid, invoice.amount_credited = fresh.amount_paid, fresh.amount_credited
    payments_release(invoice=invoice, credit_note=credit_note, amount=total, actor=actor)
    installments_credit(invoice, total)
    invoice.amount_credited += total
    invoice.status = (
        InvoiceStatus.CREDITED
        if invoice.amount_credited == invoice.total
        else InvoiceStatus.PARTLY_CREDITED
    )
    invoice.save(update_fields=["amount_credited", "status"])
    audit_record(
        actor=actor,
        action="credit_note.issue",
        obj=credit_note,
        changes={"invoice": invoice.number, "reason": reason, "total": total},
    )
    orders_follow_payments({invoice.order_id}, actor=actor)
    return credit_note


def _discard_held(invoice: Invoice) -> None:
    """A held invoice never had a number: when the order changes it is simply made again."""
    invoice.lines.all().delete()
    invoice.delete()


def _target_of_prepaid(order: Order, lines: list[OrderLine]) -> dict[int, Share]:
    """What a prepaid order should be invoiced for: every line, or only what was dispatched
    once the remainder is cancelled."""
    whole = {
        line.line_no: whole_line(line, prices_include_tax=order.prices_include_tax)
        for line in lines
    }
    if not order.remainder_cancelled:
        return whole
    shipped = _dispatched_quantities(order)
    return {n: part_of(whole[n], shipped[n]) for n in whole if shipped.get(n)}


def _dispatched_quantities(order: Order) -> dict[int, int]:
    quantities: dict[int, int] = {}
    for shipment in Shipment.objects.filter(
        order=order, status__in=DISPATCHED_STATUSES
    ).prefetch_related("lines__order_line"):
        for line in shipment.lines.all():
            no = line.order_line.line_no
            quantities[no] = quantities.get(no, 0) + line.quantity
    return quantities


def _only_less(open_lines: dict[int, Share], target: dict[int, Share]) -> bool:
    """True when the order now asks for less of the same: no new line, no line with more
    units, another price or another rate, and no line whose amounts grew."""
    for line_no, wanted in target.items():
        had = open_lines.get(line_no)
        if had is None or wanted.quantity > had.quantity:
            return False
        if (wanted.unit_price, wanted.tax_rate) != (had.unit_price, had.tax_rate):
            return False
        if wanted.net > had.net or wanted.tax > had.tax:
            return False
    return True


def _same(open_lines: dict[int, Share], target: dict[int, Share]) -> bool:
    return open_lines.keys() == target.keys() and all(
        (open_lines[n].quantity, open_lines[n].net, open_lines[n].tax)
        == (target[n].quantity, target[n].net, target[n].tax)
        for n in target
    )


def _bill_prepaid(
    order: Order, open_invoices: list[Invoice], *, actor: User | None, strict: bool, on: date | None
) -> list:
    if order.confirmed_at is None or order.status in (S.DRAFT, S.PENDING_REVIEW):
        return []  # invoiced once confirmed (again, after an amendment's review)
    lines = list(order.lines.select_related("product"))
    target = _target_of_prepaid(order, lines)
    shipping = order.shipping_fee
    written: list = []
    current = next((i for i in open_invoices if i.shipment_id is None), None)
    if current is not None:
        open_lines, open_shipping = open_part(current)
        open_tax = open_shipping_tax(current)
        if (
            _same(open_lines, target)
            and open_shipping == shipping
            and open_tax == order.shipping_tax
        ):
            return []
        if current.status == InvoiceStatus.HELD:
            _discard_held(current)
        else:
            reason = CreditReason.REMAINDER if order.remainder_cancelled else CreditReason.AMENDMENT
            less_shipping = shipping <= open_shipping and order.shipping_tax <= open_tax
            if order.shipping_tax and current.shipping_tax_rate != order.shipping_tax_rate:
                less_shipping = False  # the shipping's rate changed: credit all, invoice again
            if _only_less(open_lines, target) and less_shipping:
                difference = [
                    open_lines[n].minus(target[n]) if n in target else open_lines[n]
                    for n in open_lines
                ]
                credited = [d for d in difference if d.quantity or d.total]
                written.append(
                    _credit(
                        current,
                        credited,
                        shipping=open_shipping - shipping,
                        shipping_tax=open_tax - order.shipping_tax,
                        reason=reason,
                        actor=actor,
                        on=on,
                    )
                )
                return written
            written.append(
                _credit(
                    current,
                    list(open_lines.values()),
                    shipping=open_shipping,
                    reason=reason,
                    actor=actor,
                    on=on,
                )
            )
    if target:
        written.append(
            _new_invoice(
                order, list(target.values()), shipping=shipping, actor=actor, strict=strict, on=on
            )
        )
    return written


def _bill_shipments(order: Order, *, actor: User | None, strict: bool, on: date | None) -> list:
    """On account and cash on delivery: an invoice per dispatched shipment not invoiced yet."""
    shipments = list(
        Shipment.objects.filter(order=order, status__in=DISPATCHED_STATUSES)
        .exclude(invoices__isnull=False)
        .prefetch_related("lines__order_line__product")
        .order_by("dispatched_at", "pk")
    )
    if not shipments:
        return []
    earlier = list(order.invoices.prefetch_related("lines"))
    taken = _line_shares(line for invoice in earlier for line in invoice.lines.all())
    shipping_billed = any(invoice.shipping_fee for invoice in earlier)
    written = []
    for shipment in shipments:
        shares = []
        for shipment_line in shipment.lines.all():
            line = shipment_line.order_line
            whole = whole_line(line, prices_include_tax=order.prices_include_tax)
            share = part_of(whole, shipment_line.quantity, taken.get(line.line_no))
            taken[line.line_no] = (
                taken[line.line_no].plus(share) if line.line_no in taken else share
            )
            shares.append(share)
        shipping = ZERO if shipping_billed else order.shipping_fee
        shipping_billed = True
        written.append(
            _new_invoice(
                order,
                shares,
                shipping=shipping,
                shipment=shipment,
                actor=actor,
                strict=strict,
                on=on,
            )
        )
    return written


@atomic_with_retry()
def order_bill(
    *, order_id: int, actor: User | None = None, strict: bool = False, on: date | None = None
) -> list:
    """Bring the order's invoices and credit notes in line with the order (see the module's
    docstring); returns what was written. With `strict` (a person asked), an order that cannot
    be invoiced is refused with the reason instead of getting a held invoice. `on` dates the
    documents (demo history); they are dated today otherwise."""
    order = lock_customer_and_order(order_id)
    open_invoices = list(
        order.invoices.filter(status__in=OPEN_STATUSES)
        .select_related("customer")
        .prefetch_related("lines", "credit_notes__lines")
        .order_by("pk")
    )
    if order.status == S.CANCELLED:
        if strict:
            raise ServiceError(
                _("Order %(order)s is cancelled: it gets no invoice.") % {"order": order}
            )
        written = []
        for invoice in open_invoices:
            if invoice.status == InvoiceStatus.HELD:
                _discard_held(invoice)
                continue
            open_lines, open_shipping = open_part(invoice)
            credit_note = _credit(
                invoice,
                list(open_lines.values()),
                shipping=open_shipping,
                reason=CreditReason.CANCELLATION,
                actor=actor,
                on=on,
            )
            written.append(credit_note)
            # What was paid is kept as the customer's credit unless finance set refunds.
            if refund_on_cancellation() and refundable(credit_note)[1] > 0:
                written.append(refund_create(actor=actor, credit_note=credit_note))
        return written
    if strict and (problem := order.customer.fapiao_problem()):
        raise ServiceError(problem)
    if order.payment_terms == PaymentTerms.PREPAID:
        return _bill_prepaid(order, open_invoices, actor=actor, strict=strict, on=on)
    return _bill_shipments(order, actor=actor, strict=strict, on=on)


@atomic_with_retry()
def invoice_issue(*, actor: User, invoice: Invoice) -> Invoice:
    """Finance issues a held invoice once the customer's fapiao details are right: it gets its
    number now. Refused with the reason while they are not, or when the order was cancelled."""
    order = lock_customer_and_order(invoice.order_id)
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=invoice.pk)
    )
    if invoice.status != InvoiceStatus.HELD:
        raise ServiceError(
            _("%(invoice)s is issued already; an issued invoice never changes.")
            % {"invoice": invoice}
        )
    if order.status == S.CANCELLED:
        raise ServiceError(
            _("Order %(order)s is cancelled: it gets no invoice.") % {"order": order}
        )
    if problem := invoice.customer.fapiao_problem():
        raise ServiceError(problem)
    _take_number(invoice, actor)
    invoice.save()
    installments_create(invoice)
    audit_record(
        actor=actor,
        action="invoice.issue",
        obj=invoice,
        changes={"order": order.number, "total": invoice.total},
    )
    invoice.order = order
    channel_payment_apply(invoice, actor=actor)  # paid on the platform already
    notify_invoice_issued(invoice)
    return invoice


def invoice_change(*, actor: User, invoice: Invoice, data: dict) -> Invoice:
    """The guard every path that would edit an invoice meets: an issued invoice is never
    changed (the database refuses it too); a held one is made again from its order."""
    if invoice.status != InvoiceStatus.HELD:
        raise ServiceError(
            _("%(invoice)s is issued and cannot be changed: issue a credit note instead.")
            % {"invoice": invoice}
        )
    raise ServiceError(
        _("A held invoice follows its order: change the order or the customer's fapiao details.")
    )


@atomic_with_retry()
def credit_note_create(
    *,
    actor: User,
    invoice: Invoice,
    quantities: dict[int, int],
    shipping: bool = False,
    note: str,
) -> CreditNote:
    """Finance's correction: credit some units of an issued invoice's lines (and its shipping).
    Amounts are the lines' shares, rounded like the invoice's; the last units take the rest."""
    lock_customer_and_order(invoice.order_id)
    invoice = (
        Invoice.objects.select_for_update()
        .prefetch_related("lines", "credit_notes__lines")
        .get(pk=invoice.pk)
    )
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_CREDITED):
        raise ServiceError(_("Only an issued invoice with something open can be credited."))
    if not note.strip():
        raise ServiceError(_("Say why: the note is printed on the credit note."))
    _open_lines, open_shipping = open_part(invoice)
    return _credit(
        invoice,
        credit_shares(invoice, quantities),
        shipping=open_shipping if shipping else ZERO,
        reason=CreditReason.MANUAL,
        actor=actor,
        note=note,
    )


def credit_shares(invoice: Invoice, quantities: dict[int, int]) -> list[Share]:
    """Shares of an invoice's lines for `quantities` ({order line no: units}) still open on
    it, rounded like the invoice's (the last units take the rest). The invoice is locked and
    its lines and credit notes' lines are prefetched by the caller."""
    invoiced = _line_shares(invoice.lines.all())
    open_lines, _open_shipping = open_part(invoice)
    shares = []
    for line_no, quantity in sorted(quantities.items()):
        if not quantity:
            continue
        left = open_lines.get(line_no)
        if left is None or not 0 < quantity <= left.quantity:
            raise ServiceError(
                _("Line %(line)s has %(left)s units left to credit.")
                % {"line": line_no, "left": left.quantity if left else 0}
            )
        credited = invoiced[line_no].minus(left)
        shares.append(part_of(invoiced[line_no], quantity, credited if credited.quantity else None))
    return shares
