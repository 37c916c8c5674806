"""The customers' receivables rows (billing.receivable_rows) that the receivables page reads:
after every kind of action that changes what is open (invoices issued, installments planned,
payments oldest first and chosen, credit used, credit notes, releases, refunds) they equal a
computation from scratch over the installments; as days pass the page stays right before and
after the nightly job; the migration fills them for existing data."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from billing import services
from billing.models import CustomerReceivable, Installment
from billing.payments import credit_apply
from billing.receivable_rows import receivables_rebuild, receivables_refresh, receivables_roll
from billing.receivables import BUCKET_NAMES, STORED, aging, bucket_of
from billing.refunds import refund_create
from billing.schedules import invoice_schedule_set
from tests.billing.test_payments import finance, invoiced, pay  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
D = Decimal


def scratch(today) -> dict[int, dict[str, Decimal]]:
    """Per customer with something open: the buckets and the total, from the installments."""
    rows: dict[int, dict[str, Decimal]] = {}
    for installment in Installment.objects.all():
        open_ = installment.open_amount
        if open_ <= 0:
            continue
        row = rows.setdefault(
            installment.customer_id, dict.fromkeys((*BUCKET_NAMES, "total"), D(0))
        )
        row[bucket_of(installment.due_date, today)] += open_
        row["total"] += open_
    return rows


def stored(today) -> dict[int, dict[str, Decimal]]:
    """The rows as kept (only those right for `today`, and only customers owing something)."""
    rows = {}
    for row in CustomerReceivable.objects.filter(open_total__gt=0):
        assert row.as_of <= today < row.next_change, row
        rows[row.customer_id] = {name: getattr(row, column) for name, column in STORED.items()}
        rows[row.customer_id]["total"] = row.open_total
    return rows


def page(user, today) -> dict[int, dict[str, Decimal]]:
    return {
        row["customer"]: {name: row[name] for name in (*BUCKET_NAMES, "total")}
        for row in aging(user, today=today)
    }


def assert_kept(user):
    today = timezone.localdate()
    expected = scratch(today)
    assert stored(today) == expected
    assert page(user, today) == expected
    # Customers paid up keep a row of zeros or none: never one that says they owe.
    owing = set(CustomerReceivable.objects.filter(open_total__gt=0).values_list("pk", flat=True))
    assert owing == set(expected)


def test_rows_follow_every_action_that_changes_what_is_open(billing, run_hooks, finance):  # noqa: F811
    today = timezone.localdate()
    first, second = (
        billing.business(seed=1, payment_terms="prepaid"),
        billing.business(seed=2, payment_terms="prepaid"),
    )
    big = invoiced(billing, run_hooks, first, "100.00", quantity=3)
    assert_kept(finance)
    # Installments planned: three due dates, the last in another bucket later on.
    invoice_schedule_set(
        actor=finance,
        invoice=big,
        schedule=[
            (today, D("100.00")),
            (today + timedelta(days=20), D("100.00")),
            (today + timedelta(days=50), big.total - D("200.00")),
        ],
    )
    assert_kept(finance)
    small = invoiced(billing, run_hooks, first, "80.00")
    other = invoiced(billing, run_hooks, second, "60.00", quantity=2)
    assert_kept(finance)
    # A payment oldest first over two invoices, one chosen, one that becomes credit.
    pay(first, "150.00", "p1", finance)
    assert_kept(finance)
    pay(first, "10.00", "p2", finance, invoices=[small])
    assert_kept(finance)
    pay(second, other.total + D("25.00"), "p3", finance)
    assert_kept(finance)
    # The same key again changes nothing.
    pay(first, "150.00", "p1", finance)
    assert_kept(finance)
    # A credit note on an open invoice lowers its latest installment.
    big.refresh_from_db()
    services.credit_note_create(actor=finance, invoice=big, quantities={1: 1}, note="one broken")
    assert_kept(finance)
    # Credit used on a new invoice.
    later = invoiced(billing, run_hooks, second, "40.00")
    assert_kept(finance)
    assert credit_apply(actor=finance, customer=second, invoices=[later]) == D("25.00")
    assert_kept(finance)
    # A credit note on a paid invoice releases the payment (open again: no) and a refund.
    other.refresh_from_db()
    note = services.credit_note_create(
        actor=finance, invoice=other, quantities={1: 1}, note="returned"
    )
    assert_kept(finance)
    refund_create(actor=finance, credit_note=note)
    assert_kept(finance)
    # Everything paid: nobody owes anything.
    for customer, key in ((first, "all-1"), (second, "all-2")):
        owed = CustomerReceivable.objects.get(pk=customer.pk).open_total
        if owed:
            pay(customer, owed, key, finance)
    assert_kept(finance)
    assert not scratch(today)


def test_the_page_stays_right_as_days_pass_and_the_job_moves_rows_on(
    billing,
    run_hooks,
    finance,  # noqa: F811
):
    today = timezone.localdate()
    customers = [billing.business(seed=n, payment_terms="prepaid") for n in range(1, 4)]
    for n, customer in enumerate(customers):
        invoice = invoiced(billing, run_hooks, customer, "100.00", quantity=2)
        invoice_schedule_set(
            actor=finance,
            invoice=invoice,
            schedule=[
                (today + timedelta(days=n), D("50.00")),
                (today + timedelta(days=30 + n), D("50.00")),
                (today + timedelta(days=95 + n), invoice.total - D("100.00")),
            ],
        )
    pay(customers[0], "30.00", "p1", finance)
    assert_kept(finance)
    for days in (1, 2, 31, 33, 62, 91, 120, 200):
        later = today + timedelta(days=days)
        # Rows computed today are stale then: the page computes them from the installments.
        assert page(finance, later) == scratch(later), days
    # The nightly job of a later day: every stale row moves on, then the rows alone are right.
    later = today + timedelta(days=40)
    moved = receivables_roll(today=later)
    assert moved == len(customers)
    assert stored(later) == scratch(later) == page(finance, later)
    assert receivables_roll(today=later) == 0  # nothing left for that day
    # A row from an earlier day whose buckets have not moved is still read as stored.
    receivables_refresh([customers[0].pk], today=today - timedelta(days=1))
    row = CustomerReceivable.objects.get(pk=customers[0].pk)
    assert row.next_change > today  # its first amount is due today: it moves tomorrow
    assert page(finance, today) == scratch(today)


def test_the_migration_and_a_rebuild_fill_the_rows_for_existing_data(
    billing,
    run_hooks,
    finance,  # noqa: F811
):
    first, second = (
        billing.business(seed=1, payment_terms="prepaid"),
        billing.business(seed=2, payment_terms="prepaid"),
    )
    invoiced(billing, run_hooks, first, "100.00")
    paid = invoiced(billing, run_hooks, second, "70.00")
    pay(second, paid.total, "p1", finance)
    expected = scratch(timezone.localdate())
    CustomerReceivable.objects.all().delete()
    migration = importlib.import_module("billing.migrations.0013_customer_receivables")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.fill(None, editor)
    assert stored(timezone.localdate()) == expected
    CustomerReceivable.objects.all().delete()
    assert receivables_rebuild() == 2  # both customers had installments
    assert stored(timezone.localdate()) == expected
