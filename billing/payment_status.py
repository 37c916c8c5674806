"""The order's payment_status, computed from its invoices and refunds. Billing keeps it on the
order through orders.services (orders never reads billing), after every change of money, in
the same transaction."""

from collections.abc import Iterable
from decimal import Decimal

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


def order_payment_status(order: Order) -> str:
    """- refunded: money was paid back and nothing paid is left on the order;
    - partially_refunded: money was paid back, some is still paid (or still due);
    - paid: the order's invoices ask for something and payments settle all of it;
    - partially_paid: payments settle part of it;
    - unpaid: nothing settled. An order whose invoices were all credited and whose money was
      kept as the customer's credit (no refund) keeps the status it had: the customer did pay.
      An order whose invoices ask for nothing at all (a replacement at no charge) is paid.
    """
    billed, paid, refunded = payment_figures(order.pk)
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
    if order.payment_status in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_PAID):
        return order.payment_status
    if nothing_to_pay(order.pk):
        return PaymentStatus.PAID
    return PaymentStatus.UNPAID


def orders_follow_payments(order_ids: Iterable[int], *, actor: User | None) -> None:
    """Write each order's payment_status through the orders service, in the caller's
    transaction (orders locked in id order, after the invoices and payments)."""
    # The order's lock before reading its invoices: two payments on two invoices of one order
    # then see each other's allocation (the second reads after the first has committed).
    for order in Order.objects.select_for_update().filter(pk__in=set(order_ids)).order_by("pk"):
        status = order_payment_status(order)
        if status != order.payment_status:
            order_set_payment_status(order_id=order.pk, status=status, actor=actor)
