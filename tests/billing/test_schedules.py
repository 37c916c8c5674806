"""Installment plans (billing.schedules): finance replaces an issued invoice's installments
while nothing is paid; bad plans are refused with the reason and change nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from billing import services
from billing.models import Installment, Invoice
from billing.payments import payment_record
from billing.schedules import invoice_schedule_set, preset_schedule
from oms.errors import ServiceError
from oms.models import AuditLog
from tests.factories import UserFactory

D = Decimal


@pytest.fixture
def invoice(billing):
    """An issued invoice of 1,130.00 (a prepaid order, invoiced at confirmation)."""
    customer = billing.business(payment_terms="prepaid")
    product = billing.product(price="113.00")
    order = billing.allocated_order(
        (product, 10), stock=[(product, billing.shanghai, 10)], customer=customer
    )
    services.order_bill(order_id=order.pk)
    [invoice] = billing.invoices(order)
    assert (invoice.status, invoice.total) == ("issued", D("1130.00"))
    return invoice


@pytest.fixture
def finance(db):
    return UserFactory(username="fin", role="finance")


def plan(invoice):
    return list(
        Installment.objects.filter(invoice=invoice)
        .order_by("position")
        .values_list("due_date", "amount", "amount_paid", "amount_credited")
    )


def test_a_thirty_seventy_plan_replaces_the_single_installment(invoice, finance):
    day = invoice.issue_date
    schedule = preset_schedule(invoice, "30-70-60", start=day)
    assert schedule == [(day, D("339.00")), (day + timedelta(days=60), D("791.00"))]

    invoice_schedule_set(actor=finance, invoice=invoice, schedule=schedule)

    assert plan(invoice) == [
        (day, D("339.00"), D(0), D(0)),
        (day + timedelta(days=60), D("791.00"), D(0), D(0)),
    ]
    entry = AuditLog.objects.get(action="invoice.schedule", object_id=str(invoice.pk))
    assert entry.changes["installments"][1] == [
        [day.isoformat(), "339.00"],
        [(day + timedelta(days=60)).isoformat(), "791.00"],
    ]
    # Payments then fill the earliest first.
    payment_record(
        actor=finance,
        customer=invoice.customer,
        amount=D("400.00"),
        method="alipay",
        received_on=timezone.localdate(),
        idempotency_key="plan-pay",
        invoices=[invoice],
    )
    assert [row[2] for row in plan(invoice)] == [D("339.00"), D("61.00")]


def test_three_monthly_payments_add_up_to_the_cent(invoice):
    rows = preset_schedule(invoice, "3-monthly", start=invoice.issue_date)
    assert [amount for _due, amount in rows] == [D("384.20"), D("372.90"), D("372.90")]
    assert sum(amount for _due, amount in rows) == invoice.total


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(0, "500.00"), (30, "500.00")], "add up to the invoice total"),
        ([(0, "1130.00"), (30, "0.00")], "add up to the invoice total"),
        ([(0, "-10.00"), (30, "1140.00")], "add up to the invoice total"),
        ([(30, "339.00"), (0, "791.00")], "put the dates in order"),
        ([(30, "339.00"), (30, "791.00")], "put the dates in order"),
        ([(-1, "339.00"), (30, "791.00")], "before the invoice's date"),
        ([(0, "339.001"), (30, "790.999")], "two decimal places"),
        ([(0, "339.00"), (2000, "791.00")], "within three years"),
        ([], "at least one installment"),
        ([(n, "10.00") for n in range(13)], "At most 12 installments"),
    ],
)
def test_bad_plans_are_refused_and_change_nothing(invoice, finance, rows, message):
    before = plan(invoice)
    schedule = [(invoice.issue_date + timedelta(days=d), D(a)) for d, a in rows]
    with pytest.raises(ServiceError, match=message):
        invoice_schedule_set(actor=finance, invoice=invoice, schedule=schedule)
    assert plan(invoice) == before
    assert not AuditLog.objects.filter(action="invoice.schedule").exists()


def test_a_paid_invoice_is_not_planned_again(invoice, finance):
    payment_record(
        actor=finance,
        customer=invoice.customer,
        amount=D("100.00"),
        method="cash",
        received_on=timezone.localdate(),
        idempotency_key="paid-first",
        invoices=[invoice],
    )
    before = plan(invoice)
    with pytest.raises(ServiceError, match="already paid in part"):
        invoice_schedule_set(
            actor=finance,
            invoice=invoice,
            schedule=preset_schedule(invoice, "30-70-60", start=invoice.issue_date),
        )
    assert plan(invoice) == before


def test_a_credit_note_stays_on_the_last_installment(invoice, finance, billing):
    services.credit_note_create(
        actor=finance, invoice=invoice, quantities={1: 1}, note="one broken"
    )
    invoice = Invoice.objects.get(pk=invoice.pk)
    assert invoice.amount_credited == D("113.00")
    invoice_schedule_set(
        actor=finance,
        invoice=invoice,
        schedule=preset_schedule(invoice, "50-50-30", start=invoice.issue_date),
    )
    assert [(amount, credited) for _d, amount, _p, credited in plan(invoice)] == [
        (D("565.00"), D(0)),
        (D("565.00"), D("113.00")),
    ]


def test_sales_and_held_or_credited_invoices_are_refused(invoice, billing):
    sales = UserFactory(username="sales-x", role="sales")
    schedule = preset_schedule(invoice, "30-70-60", start=invoice.issue_date)
    with pytest.raises(PermissionDenied):
        invoice_schedule_set(actor=sales, invoice=invoice, schedule=schedule)
    finance = UserFactory(username="fin2", role="finance")
    customer = billing.customer(kind="business", payment_terms="prepaid")  # no taxpayer id
    product = billing.product()
    order = billing.allocated_order(
        (product, 1), stock=[(product, billing.shanghai, 1)], customer=customer
    )
    services.order_bill(order_id=order.pk)
    held = Invoice.objects.get(order=order)
    with pytest.raises(ServiceError, match="Only an issued invoice"):
        invoice_schedule_set(actor=finance, invoice=held, schedule=schedule)


def test_unknown_preset_is_refused(invoice):
    with pytest.raises(ServiceError, match="offered schedules"):
        preset_schedule(invoice, "99-1")


# Pages ---------------------------------------------------------------------------------------


def form_data(rows):
    data = {}
    for index, (due, amount) in enumerate(rows, start=1):
        data[f"due_{index}"] = due.isoformat() if due else ""
        data[f"amount_{index}"] = amount
    return data


def test_the_plan_page_offers_presets_and_saves(invoice, client_for):
    client = client_for("finance")
    url = f"/invoices/{invoice.pk}/installments/"
    page = client.get(url + "?preset=30-70-60").content.decode()
    assert 'value="339.00"' in page
    assert "30 % now, 70 % in 60 days" in page
    today = timezone.localdate()
    response = client.post(
        url, form_data([(today, "339.00"), (today + timedelta(days=60), "791.00")])
    )
    assert response.status_code == 302
    assert [row[1] for row in plan(invoice)] == [D("339.00"), D("791.00")]
    detail = client.get(invoice.get_absolute_url()).content.decode()
    assert 'id="installments"' in detail
    assert 'data-installment="2"' in detail
    assert "Plan installments" in detail


@pytest.mark.parametrize(
    "rows",
    [
        [(0, "500.00"), (30, "500.00")],
        [(30, "339.00"), (0, "791.00")],
        [(0, "abc"), (30, "791.00")],
        [(0, "339.00"), (None, "791.00")],
        [(0, "1e400")],
    ],
)
def test_bad_plans_on_the_page_answer_422_and_change_nothing(invoice, client_for, rows):
    client = client_for("finance")
    before = plan(invoice)
    today = timezone.localdate()
    data = form_data([(today + timedelta(days=d) if d is not None else None, a) for d, a in rows])
    response = client.post(f"/invoices/{invoice.pk}/installments/", data)
    assert response.status_code == 422
    assert plan(invoice) == before


def test_overdue_installments_are_marked_on_the_invoice_page(invoice, finance, client_for):
    invoice_schedule_set(
        actor=finance,
        invoice=invoice,
        schedule=preset_schedule(invoice, "30-70-60", start=invoice.issue_date),
    )
    # Forty days later (the invoice's own date cannot move): the first part is overdue.
    Installment.objects.filter(invoice=invoice).update(
        due_date=timezone.localdate() - timedelta(days=40)
    )
    Installment.objects.filter(invoice=invoice, position=2).update(
        due_date=timezone.localdate() + timedelta(days=20)
    )
    page = client_for("finance").get(invoice.get_absolute_url()).content.decode()
    assert page.count("data-overdue") == 1


def test_sales_see_the_installments_but_may_not_plan(invoice, client_for):
    before = plan(invoice)
    client = client_for("sales")
    assert client.get(f"/invoices/{invoice.pk}/installments/").status_code == 403
    response = client.post(
        f"/invoices/{invoice.pk}/installments/",
        form_data([(timezone.localdate(), "1130.00")]),
    )
    assert response.status_code == 403
    assert plan(invoice) == before
