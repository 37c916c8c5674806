"""The customers' receivables rows (billing.models.CustomerReceivable), kept by the services.

`receivables_refresh(customer_ids)` is the one call every writer of installments makes, in
its own transaction and after its changes, while it holds the customers' locks (every billing
writer locks the customer first): billing.installments calls it when installments are made,
paid, credited or released, so invoices issued, payments recorded and allocated, credit used,
credit notes, releases and new schedules all keep the rows. One statement for any number of
customers: it recomputes their rows from their open installments (the partial index
`installment_open_customer`), so a row never drifts from what the installments say. A payment
(installments_pay_many) runs the same statement inside the one that pays the installments
(REFRESH_TEMPLATE over the installments as that statement leaves them).

`receivables_roll` (the nightly beat job) recomputes the rows whose buckets a new day has
moved; until it runs the page computes those rows from the installments (billing.receivables).
`receivables_rebuild` recomputes every row (after a bulk load that bypassed the services).
"""

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

# One row per customer asked for; LEFT JOIN: a customer with nothing open gets zeros. The
# buckets as in billing.receivables.bucket_conditions; next_change: the first day after
# `today` on which an open amount enters its next bucket (due + 1, 31, 61, 91 days). `{open}`:
# the customer c's open installments (due_date, open), OPEN_INSTALLMENTS, or as a statement
# that pays some of them leaves them (billing.installments).
REFRESH_TEMPLATE = """
INSERT INTO billing_customerreceivable AS r (
    customer_id, as_of, next_change, open_total, open_not_due, open_1_30, open_31_60,
    open_61_90, open_over_90)
SELECT c.id, %(today)s::date,
    COALESCE(MIN(CASE WHEN i.due_date + 1 > %(today)s::date THEN i.due_date + 1
                      WHEN i.due_date + 31 > %(today)s::date THEN i.due_date + 31
                      WHEN i.due_date + 61 > %(today)s::date THEN i.due_date + 61
                      WHEN i.due_date + 91 > %(today)s::date THEN i.due_date + 91 END),
             DATE '9999-12-31'),
    COALESCE(SUM(i.open), 0),
    COALESCE(SUM(i.open) FILTER (WHERE i.due_date >= %(today)s::date), 0),
    COALESCE(SUM(i.open) FILTER (WHERE i.due_date BETWEEN %(today)s::date - 30
                                                      AND %(today)s::date - 1), 0),
    COALESCE(SUM(i.open) FILTER (WHERE i.due_date BETWEEN %(today)s::date - 60
                                                      AND %(today)s::date - 31), 0),
    COALESCE(SUM(i.open) FILTER (WHERE i.due_date BETWEEN %(today)s::date - 90
                                                      AND %(today)s::date - 61), 0),
    COALESCE(SUM(i.open) FILTER (WHERE i.due_date <= %(today)s::date - 91), 0)
FROM unnest(%(ids)s::bigint[]) AS c(id)
LEFT JOIN LATERAL ({open}) i ON true
GROUP BY c.id
ON CONFLICT (customer_id) DO UPDATE SET
    as_of = EXCLUDED.as_of, next_change = EXCLUDED.next_change,
    open_total = EXCLUDED.open_total, open_not_due = EXCLUDED.open_not_due,
    open_1_30 = EXCLUDED.open_1_30, open_31_60 = EXCLUDED.open_31_60,
    open_61_90 = EXCLUDED.open_61_90, open_over_90 = EXCLUDED.open_over_90
"""
OPEN_INSTALLMENTS = """
    SELECT due_date, amount - amount_paid - amount_credited AS open
    FROM billing_installment
    WHERE customer_id = c.id AND amount > amount_paid + amount_credited"""
REFRESH_SQL = REFRESH_TEMPLATE.format(open=OPEN_INSTALLMENTS)


def receivables_refresh(customer_ids: Iterable[int], today: date | None = None) -> None:
    """Recompute the customers' rows as of today, in the caller's transaction (which holds
    their locks and has made its changes): one statement."""
    ids = sorted({int(pk) for pk in customer_ids if pk is not None})
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(REFRESH_SQL, {"ids": ids, "today": today or timezone.localdate()})


def _stale_batch(today: date, size: int) -> list[int]:
    """Lock (skipping those a writer holds: it refreshes them itself) and return up to `size`
    customers whose row a day has overtaken."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT id FROM customers_customer WHERE id IN (
                   SELECT customer_id FROM billing_customerreceivable
                   WHERE open_total > 0 AND (next_change <= %(today)s OR as_of > %(today)s)
                   ORDER BY customer_id LIMIT %(size)s)
               ORDER BY id FOR UPDATE SKIP LOCKED""",
            {"today": today, "size": size},
        )
        return [row[0] for row in cursor.fetchall()]


def receivables_roll(today: date | None = None, batch: int = 2000) -> int:
    """Move the rows a new day has overtaken on to today, a batch of customers per
    transaction (each locked first, as the writers do). Returns the rows recomputed."""
    today = today or timezone.localdate()
    done = 0
    while True:
        with transaction.atomic():
            ids = _stale_batch(today, batch)
            receivables_refresh(ids, today)
        done += len(ids)
        # Each round moves at least one row on; none: done, or only rows a writer holds
        # (it refreshes them itself; the next run takes any it left).
        if not ids:
            return done


def receivables_rebuild(today: date | None = None, batch: int = 5000) -> int:
    """Recompute every customer's row that has or had installments (after a bulk load that
    bypassed the services). Returns the rows written."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT customer_id FROM billing_installment
               UNION SELECT customer_id FROM billing_customerreceivable ORDER BY 1"""
        )
        ids = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            chunk = ids[start : start + batch]
            # The customers' locks first, as every writer takes them.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM customers_customer WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                    [chunk],
                )
            receivables_refresh(chunk, today)
    return len(ids)
