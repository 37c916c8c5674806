"""When an invoice's money is due: its installments, and how payments and credit notes settle
them. The caller holds the customer's and the invoice's row locks and changes
invoice.amount_paid / amount_credited in the same transaction by the same amount (see
billing.models.payments). Every change here refreshes the customer's receivables row
(billing.receivable_rows) in the same transaction."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Installment, Invoice
from billing.receivable_rows import REFRESH_TEMPLATE, receivables_refresh
from oms.errors import ServiceError
from oms.money import ZERO, round_money


def installments_create(
    invoice: Invoice, schedule: Sequence[tuple[date, Decimal]] | None = None
) -> list[Installment]:
    """An issued invoice's due dates: the whole total at its due date, or a schedule of
    (due date, amount) whose amounts add up to the total exactly. Nothing is due on an
    invoice of 0."""
    if invoice.total <= 0:
        return []
    if schedule is None:
        schedule = [(invoice.due_date, invoice.total)]
    amounts = [round_money(amount) for _due, amount in schedule]
    if any(amount <= 0 for amount in amounts) or sum(amounts, ZERO) != invoice.total:
        raise ServiceError(
            _("The installments must be positive and add up to the invoice total %(total)s.")
            % {"total": invoice.total}
        )
    dates = [due for due, _amount in schedule]
    if dates != sorted(dates):
        raise ServiceError(_("Installments must fall due in order."))
    installments = Installment.objects.bulk_create(
        Installment(
            invoice=invoice,
            customer_id=invoice.customer_id,
            position=position,
            due_date=due,
            amount=amount,
        )
        for position, (due, amount) in enumerate(zip(dates, amounts, strict=True), start=1)
    )
    receivables_refresh([invoice.customer_id])
    return installments


def _settle(invoice: Invoice, amount: Decimal, field: str, earliest_first: bool) -> None:
    """Spread `amount` (positive: settle, negative: release) over the installments."""
    installments = list(
        Installment.objects.filter(invoice=invoice).order_by(
            "position" if earliest_first == (amount > 0) else "-position"
        )
    )
    left = amount
    changed = []
    for installment in installments:
        if left == 0:
            break
        if left > 0:
            step = min(left, installment.open_amount)
        else:
            step = -min(-left, getattr(installment, field))
        if step:
            setattr(installment, field, getattr(installment, field) + step)
            left -= step
            changed.append(installment)
    if left != 0:
        raise ServiceError(
            _("%(invoice)s has only %(open)s open.") % {"invoice": invoice, "open": amount - left}
        )
    Installment.objects.bulk_update(changed, [field])
    receivables_refresh([invoice.customer_id])


def installments_pay(invoice: Invoice, amount: Decimal) -> None:
    """A payment settles the earliest installments first; a released payment (negative) frees
    the latest first."""
    _settle(invoice, amount, "amount_paid", earliest_first=True)


# Each invoice's amount spread over its installments, earliest first: an installment takes
# what is open on it, at most what the installments before it left of the amount. `v` is the
# relation (invoice_id, pay); the statement answers what each invoice's installments took.
PAY_SQL = """
WITH v AS (
    SELECT * FROM unnest(%(invoices)s::bigint[], %(amounts)s::numeric[]) AS v(invoice_id, pay)
),{also}
paid AS (
    UPDATE billing_installment AS i SET amount_paid = i.amount_paid + s.step
    FROM (
        SELECT x.id, x.invoice_id, LEAST(
            x.amount - x.amount_paid - x.amount_credited,
            GREATEST(v.pay - COALESCE(SUM(x.amount - x.amount_paid - x.amount_credited) OVER (
                PARTITION BY x.invoice_id ORDER BY x.position
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), 0)) AS step
        FROM billing_installment x JOIN v ON x.invoice_id = v.invoice_id
    ) s
    WHERE i.id = s.id AND s.step > 0
    RETURNING s.id, s.invoice_id, s.step
),
refreshed AS ({refresh})
SELECT invoice_id, SUM(step) FROM paid GROUP BY invoice_id
"""
# The customer's receivables row in the same statement (receivables_refresh's): its open
# installments as `paid` leaves them (the statement's own changes are not visible in it).
PAID_OPEN = """
    SELECT x.due_date, x.amount - x.amount_paid - x.amount_credited - COALESCE(p.step, 0) AS open
    FROM billing_installment x LEFT JOIN paid p ON p.id = x.id
    WHERE x.customer_id = c.id AND x.amount > x.amount_paid + x.amount_credited
        AND x.amount > x.amount_paid + x.amount_credited + COALESCE(p.step, 0)"""
PAY_REFRESH = REFRESH_TEMPLATE.format(open=PAID_OPEN)


def installments_pay_many(
    customer_id: int,
    amounts: dict[Invoice, Decimal],
    *,
    also: str = "",
    params: dict[str, Any] | None = None,
) -> None:
    """Payments on several invoices of one customer (all positive), as installments_pay does
    for each, and the customer's receivables row, in one statement. `also`: more
    data-modifying CTEs over v(invoice_id, pay) run in the same statement (billing.payments
    writes the allocations and the invoices' amount_paid there), with their `params`."""
    amounts = {invoice: amount for invoice, amount in amounts.items() if amount}
    if not amounts:
        return
    if any(amount < 0 for amount in amounts.values()):
        raise ValueError("installments_pay_many takes positive amounts only")
    with connection.cursor() as cursor:
        cursor.execute(
            PAY_SQL.format(also=also, refresh=PAY_REFRESH),
            {
                **(params or {}),
                "invoices": [invoice.pk for invoice in amounts],
                "amounts": list(amounts.values()),
                "ids": [customer_id],
                "today": timezone.localdate(),
            },
        )
        paid = dict(cursor.fetchall())
    for invoice, amount in amounts.items():
        if paid.get(invoice.pk, ZERO) != amount:
            raise ServiceError(
                _("%(invoice)s has only %(open)s open.")
                % {"invoice": invoice, "open": paid.get(invoice.pk, ZERO)}
            )


def installments_credit(invoice: Invoice, amount: Decimal) -> None:
    """A credit note reduces what is due last first: what is due soonest stays due."""
    _settle(invoice, amount, "amount_credited", earliest_first=False)
