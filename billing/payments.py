"""Payments: receipts allocated to invoices, the customer's credit, releases and refunds.

- `payment_record`: a receipt (bank transfer, Alipay, COD remittance…), allocated to the
  invoices chosen or, by default, to the customer's open invoices oldest due first; what is
  left over stays on the receipt as `unapplied`: the customer's credit (not an error).
- `credit_apply`: finance uses the customer's credit on open invoices. A newly issued invoice
  never takes existing credit by itself: finance decides (as in most ERPs, where applying an
  open credit is a clearing step someone confirms), with the "Apply credit" action.
- `payments_release`: before a credit note reduces a paid invoice below what was paid, the
  excess goes back from its allocations (latest first) to the receipts' unapplied; called by
  billing.services._credit. Each release is a `PaymentRelease` row the refund reads.
- Refunds of what a credit note released: billing.refunds.

Idempotency: every receipt carries a key (a form renders one, an import derives one from its
row). The same key again returns the payment already recorded, also when two requests race
(the insert is INSERT ... ON CONFLICT DO NOTHING; the loser reads the winner's row); the same
key with another customer, amount or chosen invoices is refused.

Locks, always in this order, in every billing service: the customer row, the orders by id,
the invoices by id (then a document counter), the payments by id; a payment locks its
invoices and their orders in one statement (`_lock_invoices`). Services that start from an
order (order_bill, credit notes) lock its customer first too (`lock_customer_and_order`), so a
payment and a credit note of one customer wait for each other instead of deadlocking. Every
service runs in one transaction and leaves the invariants of billing.models.payments true.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import PAYMENT_SEQUENCE, InvoiceStatus, PaymentKind, PaymentMethod
from billing.choices import PaymentSource as Source
from billing.dunning import dunning_after_payment
from billing.installments import installments_pay, installments_pay_many
from billing.messages import notify_payment_received
from billing.models import CreditNote, Invoice, Payment, PaymentAllocation, PaymentRelease
from billing.payment_status import orders_follow_payments
from customers.models import Customer
from oms.db import (
    atomic_with_retry,
    document_number,
    insert_unless_conflict,
    lock_row,
    model_columns,
    new_row,
)
from oms.errors import ServiceError
from oms.money import CENT, ZERO
from oms.services import audit_record
from oms.types import User
from orders.choices import OrderStatus
from orders.models import Order
from shipping.models import Shipment

PAYABLE = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_CREDITED)
# MONEY is 14 digits with 2 places: anything larger cannot be stored (and is a typo).
MAX_AMOUNT = Decimal("999999999999.99")
RECEIPT_METHODS = [m for m in PaymentMethod if m != PaymentMethod.CUSTOMER_CREDIT]
REFUND_METHODS = [m for m in PaymentMethod if m not in (PaymentMethod.CUSTOMER_CREDIT, "cod")]


def clean_amount(value, *, allow_zero: bool = False) -> Decimal:
    """A money amount as entered: a number, more than zero, at most 2 decimals, not absurd."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(_("Enter the amount as a number, e.g. 1250.00.")) from None
    if not amount.is_finite():
        raise ServiceError(_("Enter the amount as a number, e.g. 1250.00."))
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ServiceError(_("The amount must be more than zero."))
    if amount != amount.quantize(CENT):
        raise ServiceError(_("An amount has at most 2 decimals (cents)."))
    if amount > MAX_AMOUNT:
        raise ServiceError(
            _("%(amount)s is more than any payment can be: check the amount.") % {"amount": amount}
        )
    return amount.quantize(CENT)


def open_invoices(customer_id: int):
    """Invoices a payment may settle: issued (or partly credited), something still open, and
    not of a cancelled order (its invoices are being credited). Oldest due first."""
    return (
        Invoice.objects.filter(customer_id=customer_id, status__in=PAYABLE)
        .exclude(order__status=OrderStatus.CANCELLED)
        .filter(total__gt=F("amount_paid") + F("amount_credited"))
        .order_by("due_date", "id")
    )


def lock_customer_and_order(order_id: int) -> Order:
    """Lock the order's customer, then the order (see the module's docstring for why the
    customer comes first): two statements. Returns the locked order with its customer."""
    while True:
        customer = (
            Customer.objects.select_for_update()
            .filter(pk=Subquery(Order.objects.filter(pk=order_id).values("customer_id")))
            .first()
        )
        order = Order.objects.select_for_update().get(pk=order_id)
        if customer is not None and order.customer_id == customer.pk:
            order.customer = customer
            return order
        # The order moved to another customer meanwhile (never once it is billed): again.


# What the payment services read of the invoices they lock and of their orders (the orders'
# payment status, completion and the customer's message): the rest of two wide rows stays
# unread (a field read later is fetched then).
LOCKED_INVOICE_FIELDS = ("id", "number", "customer", "order", "status", "due_date", "total")
LOCKED_INVOICE_FIELDS += ("amount_paid", "amount_credited")
LOCKED_ORDER_FIELDS = ("id", "number", "customer", "channel", "status", "payment_status")
LOCKED_ORDER_FIELDS += ("on_hold",)

# The invoices and their orders, locked in one statement, by invoice id. Written out rather
# than compiled by the ORM for each payment (a third of the statement's CPU); OPEN_INVOICES
# is open_invoices() in SQL (a test holds them to the same rows).
LOCK_INVOICES_SQL = """
SELECT {invoice}, {order}
FROM billing_invoice i JOIN orders_order o ON o.id = i.order_id
WHERE i.customer_id = %(customer)s AND {which}
ORDER BY i.id FOR UPDATE OF i, o
"""
OPEN_INVOICES = """i.status = ANY(%(payable)s) AND o.status <> %(cancelled)s
    AND i.total > i.amount_paid + i.amount_credited"""
CHOSEN_INVOICES = "i.id = ANY(%(ids)s::bigint[])"


def _locked_invoices(customer_id: int, ids: list[int] | None) -> dict[int, Invoice]:
    """{id: invoice with its order} of the customer's invoices chosen (ids) or else open,
    locked with their orders."""
    invoice = model_columns(Invoice, LOCKED_INVOICE_FIELDS, "i")
    order = model_columns(Order, LOCKED_ORDER_FIELDS, "o")
    sql = LOCK_INVOICES_SQL.format(
        invoice=invoice.sql,
        order=order.sql,
        which=OPEN_INVOICES if ids is None else CHOSEN_INVOICES,
    )
    params = {
        "customer": customer_id,
        "payable": list(PAYABLE),
        "cancelled": OrderStatus.CANCELLED,
        "ids": ids,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    locked = {}
    for row in rows:
        locked[row[0]] = found = invoice.load(row)
        Invoice.order.field.set_cached_value(found, order.load(row, invoice.width))
    return locked


def _lock_invoices(customer: Customer, invoices: Sequence[Invoice] | None) -> list[Invoice]:
    """Lock the invoices to settle with their orders (by id), checked, in the order they are
    to be paid: as chosen, or oldest due first. A chosen invoice with nothing open gets
    nothing. The caller holds the customer's lock, so no invoice of the customer is written
    meanwhile."""
    # Only this customer's chosen invoices: another customer's rows are not ours to lock.
    ids = None if invoices is None else list(dict.fromkeys(invoice.pk for invoice in invoices))
    # The invoices and their orders (orders_follow_payments writes them later) in one
    # statement: every billing writer holds the customer's lock first, so none waits here for
    # another, and nothing outside billing locks an invoice.
    locked = _locked_invoices(customer.pk, ids)
    if ids is None:
        ids = list(locked)
    elif foreign := [invoice for invoice in invoices if invoice.pk not in locked]:
        raise ServiceError(_("%(invoice)s belongs to another customer.") % {"invoice": foreign[0]})
    for invoice in locked.values():
        if invoice.status == InvoiceStatus.HELD:
            raise ServiceError(
                _("%(invoice)s is held for fapiao details: issue it before it is paid.")
                % {"invoice": invoice}
            )
        if invoice.order.status == OrderStatus.CANCELLED:
            raise ServiceError(
                _("%(invoice)s is of a cancelled order: it takes no payment.")
                % {"invoice": invoice}
            )
    chosen = [locked[pk] for pk in ids if pk in locked]
    if invoices is None:
        chosen.sort(key=lambda invoice: (invoice.due_date, invoice.pk))
    return [invoice for invoice in chosen if invoice.open_amount > 0]


def _allocate(payment: Payment, invoice: Invoice, amount: Decimal, *, new: bool) -> None:
    """Settle `amount` of a locked invoice with a locked payment: one allocation row per pair
    (added to), the invoice's amount_paid and its installments, all in this transaction."""
    if new or not PaymentAllocation.objects.filter(payment=payment, invoice=invoice).update(
        amount=F("amount") + amount
    ):
        PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=amount)
    invoice.amount_paid += amount
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=invoice.amount_paid)
    installments_pay(invoice, amount)


# The rest of a new payment's allocation, in installments_pay_many's statement: the allocation
# rows and the invoices' amount_paid, from the same v(invoice_id, pay).
ALLOCATE_SQL = """
allocated AS (
    INSERT INTO billing_paymentallocation (payment_id, invoice_id, amount, created_at)
    SELECT %(payment)s, invoice_id, pay, %(now)s FROM v
),
invoiced AS (
    UPDATE billing_invoice AS i SET amount_paid = i.amount_paid + v.pay
    FROM v WHERE i.id = v.invoice_id
),"""


def _allocate_new(payment: Payment, settled: dict[Invoice, Decimal]) -> None:
    """A new payment's allocations (_allocate for each invoice, batched): the allocation
    rows, the invoices' amount_paid, their installments and the customer's receivables row
    in one statement whatever the number of invoices."""
    if not settled:
        return
    installments_pay_many(
        payment.customer_id,
        settled,
        also=ALLOCATE_SQL,
        params={"payment": payment.pk, "now": timezone.now()},
    )
    for invoice, step in settled.items():
        invoice.amount_paid += step


def _plan(invoices: Iterable[Invoice], money: Decimal) -> dict[Invoice, Decimal]:
    """How up to `money` settles the invoices in order: {invoice: amount}."""
    settled: dict[Invoice, Decimal] = {}
    for invoice in invoices:
        if money <= 0:
            break
        step = min(money, invoice.open_amount)
        if step > 0:
            settled[invoice] = step
            money -= step
    return settled


def _spread(payment: Payment, invoices: Iterable[Invoice], money: Decimal, *, new: bool) -> dict:
    """Allocate up to `money` of the payment over the invoices in order; returns
    {invoice: amount}."""
    settled = _plan(invoices, money)
    for invoice, step in settled.items():
        _allocate(payment, invoice, step, new=new)
    return settled


def _request(customer: Customer, amount: Decimal, invoices) -> dict:
    return {
        "customer": customer.pk,
        "amount": str(amount),
        "invoices": sorted(i.pk for i in invoices) if invoices is not None else None,
    }


def _same_request(payment: Payment, request: dict) -> None:
    """The key was used: refuse unless it is the same request again."""
    from oms.models import AuditLog

    recorded = (
        AuditLog.objects.filter(
            object_type="billing.payment", object_id=str(payment.pk), action="payment.record"
        )
        .values_list("changes", flat=True)
        .first()
    ) or {}
    asked_invoices = request["invoices"]
    if (
        payment.customer_id != request["customer"]
        or payment.amount != Decimal(request["amount"])
        or payment.kind != PaymentKind.RECEIPT
        or (asked_invoices is not None and sorted(recorded.get("chosen") or []) != asked_invoices)
    ):
        raise ServiceError(
            _(
                "This payment key was already used for %(payment)s (%(amount)s from %(customer)s)"
                " with other details: nothing was recorded. Reload the form to record another "
                "payment."
            )
            % {"payment": payment, "amount": payment.amount, "customer": payment.customer}
        )


# The customer's row locked, with the receipt already recorded with the idempotency key or
# else the next number (the sequence moves on only when the key is new).
LOCK_CUSTOMER_SQL = """
SELECT {customer}, found.id, CASE WHEN found.id IS NULL THEN nextval(%(sequence)s) END
FROM customers_customer c,
     (SELECT (SELECT id FROM billing_payment WHERE idempotency_key = %(key)s) AS id) AS found
WHERE c.id = %(customer)s
FOR UPDATE OF c
"""


def _lock_customer_recorded_or_number(
    customer_id: int, key: str
) -> tuple[Customer, Payment | None, str]:
    """Lock the customer; the receipt already recorded with this idempotency key, or else the
    number of a new one: one statement. Its look-up sees what committed before it started:
    a request with the same key that committed while this one waited for the lock goes on
    until its INSERT finds the key taken (payment_record then answers with that payment)."""
    columns = model_columns(Customer, alias="c")
    with connection.cursor() as cursor:
        cursor.execute(
            LOCK_CUSTOMER_SQL.format(customer=columns.sql),
            {"sequence": PAYMENT_SEQUENCE, "key": key, "customer": customer_id},
        )
        row = cursor.fetchone()
    if row is None:
        raise Customer.DoesNotExist("Customer matching query does not exist.")
    customer, found, value = columns.load(row), row[-2], row[-1]
    if found is not None:
        return customer, Payment.objects.select_related("customer").get(pk=found), ""
    return customer, None, document_number("PAY", value)


@atomic_with_retry()
def payment_record(
    *,
    actor: User | None,
    customer: Customer,
    amount,
    method: str,
    received_on: date,
    idempotency_key: str,
    reference: str = "",
    payer: str = "",
    invoices: Sequence[Invoice] | None = None,
    fee=ZERO,
    shipment: Shipment | None = None,
    source: str = Source.MANUAL,
    note: str = "",
    notify_customer: bool = True,
) -> Payment:
    """Record money received and allocate it (see the module's docstring). Returns the
    payment; the same idempotency key again returns the same payment. `notify_customer`
    False: the customer hears nothing from us (a platform acknowledged its own payment)."""
    amount = clean_amount(amount)
    fee = clean_amount(fee or 0, allow_zero=True)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise ServiceError(_("A payment needs an idempotency key of 1 to 64 characters."))
    if method not in RECEIPT_METHODS:
        raise ServiceError(_("Choose how the money was paid."))
    if fee > amount:
        raise ServiceError(_("The fee cannot be more than the amount received."))
    request = _request(customer, amount, invoices)
    customer, existing, number = _lock_customer_recorded_or_number(customer.pk, key)
    if existing is not None:
        _same_request(existing, request)
        return existing
    targets = _lock_invoices(customer, invoices)
    settled = _plan(targets, amount)
    payment = new_row(
        Payment,
        number=number,
        customer=customer,
        kind=PaymentKind.RECEIPT,
        method=method,
        source=source,
        amount=amount,
        unapplied=amount - sum(settled.values(), ZERO),
        fee=fee,
        received_on=received_on,
        reference=reference.strip()[:100],
        payer=payer.strip()[:200],
        note=note.strip()[:300],
        idempotency_key=key,
        shipment=shipment,
        created_by=actor if actor and actor.is_authenticated else None,
    )
    if not insert_unless_conflict(payment):
        # A request with this key won the race (another customer's, or this customer's that
        # committed while we waited for the lock): the same request gets its payment, another
        # is refused. A COD parcel collected twice is refused too. (ON CONFLICT: no savepoint.)
        existing = Payment.objects.filter(idempotency_key=key).select_related("customer").first()
        if existing is None:
            raise ServiceError(_("This parcel's cash on delivery is recorded already."))
        _same_request(existing, request)
        return existing
    _allocate_new(payment, settled)
    audit_record(
        actor=actor,
        action="payment.record",
        obj=payment,
        changes={
            "customer": customer.pk,
            "amount": amount,
            "method": method,
            "chosen": request["invoices"],
            "allocated": {invoice.number: step for invoice, step in settled.items()},
            "unapplied": payment.unapplied,
        },
    )
    # The orders are locked with the invoices (_lock_invoices): no second lock.
    orders = {invoice.order_id: invoice.order for invoice in settled}
    orders_follow_payments(orders, actor=actor, locked=orders.values())
    if notify_customer:
        notify_payment_received(payment, settled, orders=orders)
    # Only a customer on hold has a hold to lift: no statement for the others.
    if settled and customer.credit_hold:
        dunning_after_payment(customer.pk)
    return payment


@atomic_with_retry()
def credit_apply(
    *, actor: User | None, customer: Customer, invoices: Sequence[Invoice] | None = None
) -> Decimal:
    """Use the customer's credit (unapplied receipts, oldest first) on their open invoices (as
    chosen, or oldest due first). Returns how much was applied; nothing to apply is refused."""
    customer = lock_row(Customer, customer.pk)
    targets = _lock_invoices(customer, invoices)
    credits = list(
        Payment.objects.select_for_update()
        .filter(customer=customer, kind=PaymentKind.RECEIPT, unapplied__gt=0)
        .order_by("pk")
    )
    if not credits:
        raise ServiceError(_("%(customer)s has no credit to apply.") % {"customer": customer})
    if not targets:
        raise ServiceError(_("%(customer)s has no open invoice.") % {"customer": customer})
    applied = ZERO
    orders: set[int] = set()
    for payment in credits:
        settled = _spread(payment, targets, payment.unapplied, new=False)
        if not settled:
            continue
        used = sum(settled.values(), ZERO)
        payment.unapplied -= used
        Payment.objects.filter(pk=payment.pk).update(unapplied=payment.unapplied)
        applied += used
        orders |= {invoice.order_id for invoice in settled}
        audit_record(
            actor=actor,
            action="payment.apply_credit",
            obj=payment,
            changes={
                "allocated": {invoice.number: step for invoice, step in settled.items()},
                "unapplied": payment.unapplied,
            },
        )
    orders_follow_payments(orders, actor=actor)
    if applied:
        dunning_after_payment(customer.pk)
    return applied


def payments_release(
    *, invoice: Invoice, credit_note: CreditNote, amount: Decimal, actor: User | None
) -> Decimal:
    """A credit note of `amount` is about to reduce the invoice (locked by the caller, in its
    transaction): give back from its allocations, latest first, whatever would make paid +
    credited exceed the total. The released money becomes the receipts' unapplied credit."""
    excess = invoice.amount_paid + invoice.amount_credited + amount - invoice.total
    if excess <= 0:
        return ZERO
    allocations = list(
        PaymentAllocation.objects.filter(invoice=invoice).order_by("-id").values("pk", "payment_id")
    )
    payments = {
        payment.pk: payment
        for payment in Payment.objects.select_for_update()
        .filter(pk__in=[a["payment_id"] for a in allocations])
        .order_by("pk")
    }
    left = excess
    for row in allocations:
        if left <= 0:
            break
        allocation = PaymentAllocation.objects.get(pk=row["pk"])
        step = min(left, allocation.amount)
        if step == allocation.amount:
            allocation.delete()
        else:
            PaymentAllocation.objects.filter(pk=allocation.pk).update(amount=F("amount") - step)
        payment = payments[row["payment_id"]]
        payment.unapplied += step
        Payment.objects.filter(pk=payment.pk).update(unapplied=payment.unapplied)
        PaymentRelease.objects.create(payment=payment, credit_note=credit_note, amount=step)
        audit_record(
            actor=actor,
            action="payment.release",
            obj=payment,
            changes={"invoice": invoice.number, "credit_note": credit_note.number, "amount": step},
        )
        left -= step
    released = excess - left
    invoice.amount_paid -= released
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=invoice.amount_paid)
    installments_pay(invoice, -released)
    return released


def credit_balance(customer_id: int) -> Decimal:
    """The customer's credit: what their receipts have not allocated nor refunded."""
    from django.db.models import Sum

    return (
        Payment.objects.filter(
            Q(customer_id=customer_id), kind=PaymentKind.RECEIPT, unapplied__gt=0
        ).aggregate(total=Sum("unapplied"))["total"]
        or ZERO
    )
