"""The order's payment_status, computed from its invoices and refunds. Billing keeps it on the
order through orders.services (orders never reads billing), after every change of money, in
the same transaction."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum

from billing.choices import InvoiceStatus, PaymentKind
from oms.money import ZERO
from oms.types import User
from orders.choices import PaymentStatus
from orders.models import Order
from orders.services import order_set_payment_status


def payment_figures(order_id: int) -> tuple[Decimal, Decimal, Decimal]:
    """(billed, paid, refunded) of an order: what its issued invoices ask for after credit
    notes, what payments settle of them, and what was paid back for its credit notes."""
    from billing.models import Invoice, Payment

    sums = (
        Invoice.objects.filter(order_id=order_id)
        .exclude(status=InvoiceStatus.HELD)
        .aggregate(total=Sum("total"), credited=Sum("amount_credited"), paid=Sum("amount_paid"))
    )
    refunded = Payment.objects.filter(
        credit_note__order_id=order_id, kind=PaymentKind.REFUND
    ).aggregate(total=Sum("amount"))["total"]
    billed = (sums["total"] or ZERO) - (sums["credited"] or ZERO)
    return billed, sums["paid"] or ZERO, -(refunded or ZERO)


def nothing_to_pay(order_id: int) -> bool:
    """The order was invoiced and its invoices ask for nothing at all (a replacement sent at
    no charge): it counts as paid."""
    from billing.models import Invoice

    sums = (
        Invoice.objects.filter(order_id=order_id)
        .exclude(status=InvoiceStatus.HELD)
        .aggregate(total=Sum("total"), issued=Count("id"))
    )
    return bool(sums["issued"]) and sums["total"] == 0


# Per order: its issued invoices' sums and count, and what was refunded for its credit
# notes; one statement for any number of orders.
FIGURES_SQL = """
SELECT o.id, inv.total, inv.credited, inv.paid, inv.issued, ref.amount
FROM unnest(%s::bigint[]) AS o(id)
LEFT JOIN LATERAL (
    SELECT SUM(total) AS total, SUM(amount_credited) AS credited, SUM(amount_paid) AS paid,
           COUNT(*) AS issued
    FROM billing_invoice WHERE order_id = o.id AND status <> %s
) inv ON true
LEFT JOIN LATERAL (
    SELECT SUM(p.amount) AS amount
    FROM billing_payment p JOIN billing_creditnote c ON c.id = p.credit_note_id
    WHERE c.order_id = o.id AND p.kind = %s
) ref ON true
"""


def _figures_of(order_ids: Iterable[int]) -> dict[int, tuple[Decimal, Decimal, Decimal, bool]]:
    """{order id: (billed, paid, refunded, nothing to pay)} as payment_figures and
    nothing_to_pay compute them, for many orders in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(FIGURES_SQL, [sorted(order_ids), InvoiceStatus.HELD, PaymentKind.REFUND])
        rows = cursor.fetchall()
    return {
        pk: (
            (total or ZERO) - (credited or ZERO),
            paid or ZERO,
            -(refunded or ZERO),
            bool(issued) and total == 0,
        )
        for pk, total, credited, paid, issued, refunded in rows
    }


def _status(current: str, billed: Decimal, paid: Decimal, refunded: Decimal, free: bool) -> str:
    """order_payment_status from the figures (`free`: nothing_to_pay)."""
    if refunded > 0:
        return (
            PaymentStatus.REFUNDED
            if paid == 0 and billed == 0
            else (PaymentStatus.PARTIALLY_REFUNDED)
        )
    if billed > 0:
        if paid >= billed:
            return PaymentStatus.PAID
        return PaymentStatus.PARTIALLY_PAID if paid > 0 else PaymentStatus.UNPAID
    if current in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_PAID):
        return current
    if free:
        return PaymentStatus.PAID
    return PaymentStatus.UNPAID


def order_payment_status(order: Order) -> str:
    """- refunded: money was paid back and nothing paid is left on the order;
    - partially_refunded: money was paid back, some is still paid (or still due);
    - paid: the order's invoices ask for something and payments settle all of it;
    - partially_paid: payments settle part of it;
    - unpaid: nothing settled. An order whose invoices were all credited and whose money was
      kept as the customer's credit (no refund) keeps the status it had: the customer did pay.
      An order whose invoices ask for nothing at all (a replacement at no charge) is paid.
    """
    return _status(order.payment_status, *_figures_of([order.pk])[order.pk])


def orders_follow_payments(
    order_ids: Iterable[int], *, actor: User | None, locked: Iterable[Order] | None = None
) -> None:
    """Write each order's payment_status through the orders service, in the caller's
    transaction (orders locked in id order, after the invoices and payments). `locked`: the
    orders, which the caller has locked already (with its invoices): no second lock."""
    # The order's lock before reading its invoices: two payments on two invoices of one order
    # then see each other's allocation (the second reads after the first has committed).
    if locked is not None:
        orders = sorted(locked, key=lambda order: order.pk)
    else:
        orders = list(
            Order.objects.select_for_update().filter(pk__in=set(order_ids)).order_by("pk")
        )
    if not orders:
        return
    figures = _figures_of(order.pk for order in orders)
    for order in orders:
        status = _status(order.payment_status, *figures[order.pk])
        if status != order.payment_status:
            # Locked and read above in this transaction: the service does not read it again.
            order_set_payment_status(order_id=order.pk, status=status, actor=actor, locked=order)
