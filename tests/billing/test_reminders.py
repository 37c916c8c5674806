"""Overdue reminders: levels by days, once per level (constraint and two threads at once),
paused customers, the credit hold of the final notice and how it ends, channel orders of a held
customer waiting in review, the exposure the credit check counts, e-mails in the customer's
language with the invoices attached, the settings page and who may do what."""

import subprocess
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from billing import dunning
from billing.models import CustomerDunning, Installment, Invoice, Payment, Reminder
from billing.payments import payment_record
from customers.models import Customer
from oms.celery import app as celery_app
from oms.models import AuditLog, OutboxMessage
from oms.tasks import deliver_outbox_message
from orders import services as order_services
from orders.choices import ChannelCode, OrderStatus
from orders.models import Order
from orders.review import open_order_value
from orders.services import LineRequest
from tests.billing.conftest import Billing

D = Decimal
DAYS = {1: 7, 2: 21, 3: 45}


def today():
    return timezone.localdate()


def prepaid_invoice(billing: Billing, customer, price="100.00") -> Invoice:
    """A prepaid order confirmed and invoiced at once (the invoice of an open order)."""
    product = billing.product(price)
    billing.stock(product, billing.shanghai, 5)
    order = order_services.order_submit(actor=None, order=billing.order(customer, (product, 1)))
    from billing.services import order_bill

    order_bill(order_id=order.pk)
    return Invoice.objects.get(order=order)


def overdue(invoice: Invoice, days: int) -> Invoice:
    Installment.objects.filter(invoice=invoice).update(due_date=today() - timedelta(days=days))
    return invoice


def shipped(invoice: Invoice) -> Invoice:
    """Test set-up: its order no longer open (as after dispatch), so the invoice counts."""
    Order.objects.filter(pk=invoice.order_id).update(status=OrderStatus.DELIVERED)
    return invoice


def customer_of(billing, **kwargs):
    kwargs.setdefault("payment_terms", "prepaid")
    kwargs.setdefault("email", "buyer@example.com")
    kwargs.setdefault("preferred_channel", "email")
    return billing.business(**kwargs)


def next_day():
    """As if the reminders so far were sent yesterday: the next run may go one level up."""
    Reminder.objects.update(sent_at=F("sent_at") - timedelta(days=1))


def levels(invoice):
    return sorted(Reminder.objects.filter(invoice=invoice).values_list("level", flat=True))


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "expected"),
    [(6, 0), (7, 1), (20, 1), (21, 2), (44, 2), (45, 3), (400, 3)],
)
def test_the_level_an_invoice_reaches_by_days_overdue(days, expected):
    assert dunning.level_for(days, DAYS) == expected


@pytest.mark.django_db
def test_levels_go_out_one_a_run_at_the_settings_boundaries(billing):
    customer = customer_of(billing)
    invoice = prepaid_invoice(billing, customer)
    on = today()
    overdue(invoice, 6)
    assert dunning.reminders_send(on=on) == 0  # 6 days: not yet
    overdue(invoice, 7)
    assert dunning.reminders_send(on=on) == 1
    assert levels(invoice) == [1]
    assert dunning.reminders_send(on=on) == 0  # the same day again: nothing new
    overdue(invoice, 21)
    assert dunning.reminders_send(on=on) == 0  # one level a day
    next_day()
    overdue(invoice, 20)
    assert dunning.reminders_send(on=on) == 0
    overdue(invoice, 21)
    assert dunning.reminders_send(on=on) == 1
    assert levels(invoice) == [1, 2]
    next_day()
    overdue(invoice, 44)
    assert dunning.reminders_send(on=on) == 0
    overdue(invoice, 45)
    assert dunning.reminders_send(on=on) == 1
    assert levels(invoice) == [1, 2, 3]
    customer.refresh_from_db()
    assert customer.credit_hold
    next_day()
    assert dunning.reminders_send(on=on) == 0  # nothing after the final notice


@pytest.mark.django_db
def test_a_level_is_never_skipped_and_paid_invoices_get_nothing(billing):
    customer = customer_of(billing)
    late, paid = prepaid_invoice(billing, customer), prepaid_invoice(billing, customer)
    overdue(late, 100)
    overdue(paid, 100)
    Installment.objects.filter(invoice=paid).update(amount_paid=paid.total)
    dunning.reminders_send()
    assert levels(late) == [1]  # the friendly reminder first, even 100 days late
    assert levels(paid) == []
    customer.refresh_from_db()
    assert not customer.credit_hold


@pytest.mark.django_db
def test_the_database_refuses_a_second_reminder_of_the_same_level(billing):
    customer = customer_of(billing)
    invoice = overdue(prepaid_invoice(billing, customer), 10)
    dunning.reminders_send()
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            invoice=invoice,
            customer=customer,
            level=1,
            sent_at=timezone.now(),
            days_overdue=10,
            open_amount=invoice.total,
        )


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_send_each_level_once(eager):
    billing = Billing()
    customers = [customer_of(billing, seed=n, code=f"RUN{n}") for n in range(3)]
    invoices = [overdue(prepaid_invoice(billing, c), 30) for c in customers for _ in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            dunning.reminders_send()
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Reminder.objects.count() == len(invoices)  # level 1 of each, once
    assert all(levels(invoice) == [1] for invoice in invoices)
    # One message per customer, grouping its two invoices.
    messages = OutboxMessage.objects.filter(event_code="invoice.reminder1")
    assert messages.count() == len(customers)


@pytest.mark.django_db
def test_paused_customers_get_no_reminders_until_resumed(billing, user_with_role):
    finance = user_with_role("finance")
    customer = customer_of(billing)
    invoice = overdue(prepaid_invoice(billing, customer), 30)
    with pytest.raises(ValidationError):
        dunning.reminders_pause(actor=finance, customer=customer, paused=True, note=" ")
    dunning.reminders_pause(actor=finance, customer=customer, paused=True, note="Disputed")
    assert dunning.reminders_send() == 0
    dunning.reminders_pause(actor=finance, customer=customer, paused=False)
    assert dunning.reminders_send() == 1
    assert levels(invoice) == [1]
    actions = list(
        AuditLog.objects.filter(object_type="billing.customerdunning")
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions == [("reminders.pause", finance.pk), ("reminders.resume", finance.pk)]


@pytest.mark.django_db
def test_the_final_notice_holds_the_customer_and_payment_lifts_the_hold(billing):
    customer = customer_of(billing)
    invoice = overdue(prepaid_invoice(billing, customer), 50)
    for _run in range(3):
        dunning.reminders_send()
        next_day()
    customer.refresh_from_db()
    assert customer.credit_hold
    state = CustomerDunning.objects.get(customer=customer)
    assert state.hold_automatic
    assert state.hold_invoice_id == invoice.pk
    hold = AuditLog.objects.get(action="customer.credit_hold", object_id=str(customer.pk))
    assert hold.actor is None
    assert hold.changes["reason"] == "final_notice"
    # Still overdue: nothing is lifted.
    assert not dunning.dunning_after_payment(customer.pk)
    # Paying what is overdue lifts it in the payment's own transaction.
    payment_record(
        actor=None,
        customer=customer,
        amount=invoice.total,
        method="bank_transfer",
        received_on=today(),
        idempotency_key="pays-the-overdue",
    )
    customer.refresh_from_db()
    assert not customer.credit_hold
    lifted = AuditLog.objects.get(action="customer.credit_release", object_id=str(customer.pk))
    assert lifted.changes["reason"] == "overdue_paid"


@pytest.mark.django_db
def test_payment_does_not_lift_a_hold_finance_set_by_hand(billing):
    customer = customer_of(billing, credit_hold=True)
    assert not dunning.dunning_after_payment(customer.pk)
    customer.refresh_from_db()
    assert customer.credit_hold


@pytest.mark.django_db
def test_finance_lifts_a_hold_with_a_note_and_it_is_audited(billing, user_with_role):
    finance = user_with_role("finance")
    customer = customer_of(billing, credit_hold=True)
    with pytest.raises(ValidationError):
        dunning.credit_hold_lift(actor=finance, customer=customer, note="")
    customer.refresh_from_db()
    assert customer.credit_hold
    dunning.credit_hold_lift(actor=finance, customer=customer, note="Paid by cheque, clears Fri")
    customer.refresh_from_db()
    assert not customer.credit_hold
    entry = AuditLog.objects.get(action="customer.credit_release")
    assert entry.actor == finance
    assert entry.changes["note"] == "Paid by cheque, clears Fri"


@pytest.mark.django_db
def test_back_office_entry_for_a_held_customer_is_refused_with_the_reason(billing):
    customer = customer_of(billing, credit_hold=True)
    with pytest.raises(ValidationError, match="credit hold"):
        billing.order(customer, (billing.product(), 1))
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_channel_order_of_a_held_customer_waits_in_review_for_credit_hold(billing):
    customer = customer_of(billing, credit_hold=True)
    product = billing.product()
    billing.stock(product, billing.shanghai, 5)
    order = order_services.order_place(
        actor=None,
        customer=customer,
        lines=[LineRequest(product, 1)],
        channel=ChannelCode.WEB_SHOP,
        external_reference="WEB-1001",
    )
    assert order.status == OrderStatus.PENDING_REVIEW
    [approval] = order.approvals.all()
    assert approval.required_role == "finance"
    assert approval.reasons == [{"code": "credit_hold", "params": {}}]
    from django.utils import translation

    from orders.reasons import reasons_text

    with translation.override("zh-hans"):
        assert "信用" in reasons_text(approval.reasons)
    with translation.override("en"):
        assert "Credit hold" in reasons_text(approval.reasons)


@pytest.mark.django_db
def test_exposure_counts_unpaid_invoices_less_credit_without_counting_an_order_twice(billing):
    customer = customer_of(billing)
    # A prepaid-style invoice of an order still open: the order counts, its invoice does not.
    open_invoice = prepaid_invoice(billing, customer, "100.00")
    open_order = Order.objects.get(pk=open_invoice.order_id)
    assert open_order.status in {OrderStatus.CONFIRMED, OrderStatus.ALLOCATED}
    assert open_order_value(customer.pk) == open_order.total
    # An invoice of a delivered order counts with what is open on it.
    done = shipped(prepaid_invoice(billing, customer, "300.00"))
    assert open_order_value(customer.pk) == open_order.total + done.total
    Installment.objects.filter(invoice=done).update(amount_paid=D("50.00"))
    assert open_order_value(customer.pk) == open_order.total + done.total - D("50.00")
    # The order being checked counts once (as itself), even when it has an invoice.
    assert open_order_value(customer.pk, excluding=open_order.pk) == done.total - D("50.00")
    # Unapplied credit lowers it; never below 0.
    Payment.objects.create(
        number="PAY-T-1",
        customer=customer,
        method="bank_transfer",
        amount=D("100.00"),
        unapplied=D("100.00"),
        received_on=today(),
        idempotency_key="t-1",
    )
    assert open_order_value(customer.pk) == open_order.total + done.total - D("150.00")
    Payment.objects.filter(number="PAY-T-1").update(amount=D("99999"), unapplied=D("99999"))
    assert open_order_value(customer.pk) == 0


@pytest.mark.django_db
def test_a_zh_customer_gets_the_reminder_in_chinese_with_the_statement(
    billing, tmp_path, user_with_role
):
    salesperson = user_with_role("sales", email="wang.sales@example.com")
    customer = customer_of(billing, language="zh-hans", salesperson=salesperson)
    invoice = overdue(prepaid_invoice(billing, customer), 25)
    Reminder.objects.create(
        invoice=invoice,
        customer=customer,
        level=1,
        sent_at=timezone.now() - timedelta(days=10),
        days_overdue=15,
        open_amount=invoice.total,
    )
    dunning.reminders_send()  # level 2: firm, the salesperson copied
    message = OutboxMessage.objects.get(event_code="invoice.reminder2")
    assert message.language == "zh-hans"
    assert "第二次催款" in message.subject
    assert invoice.number in message.body
    assert "逾期" in message.body
    deliver_outbox_message(message.pk)
    sent = mail.outbox[-1]
    assert sent.to == ["buyer@example.com"]
    assert sent.cc == ["wang.sales@example.com"]  # the firm reminder copies the salesperson
    [(name, content, mime)] = sent.attachments
    assert name == f"statement-{customer.code}-{today():%Y%m%d}.pdf"
    assert mime == "application/pdf"
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert invoice.number in text  # the overdue invoice is on the statement
    assert "对账单" in text  # in the customer's language


@pytest.mark.django_db
def test_an_sms_customer_still_gets_the_reminder_by_e_mail_with_the_attachment(billing):
    customer = customer_of(billing, preferred_channel="sms", phone="13800000000", language="en")
    overdue(prepaid_invoice(billing, customer), 8)
    dunning.reminders_send()
    message = OutboxMessage.objects.get(event_code="invoice.reminder1")
    assert message.channel == "email"
    assert message.attachments
    assert message.subject.startswith("Payment reminder")


@pytest.mark.django_db
def test_the_settings_page_refuses_days_that_do_not_increase(client_for):
    client = client_for("finance")
    response = client.post(
        "/reminders/settings/", {"level1_days": 10, "level2_days": 10, "level3_days": 5}
    )
    assert response.status_code == 422
    assert "must come after" in response.content.decode()
    assert dunning.dunning_settings().days() == {1: 7, 2: 21, 3: 45}
    response = client.post(
        "/reminders/settings/", {"level1_days": 5, "level2_days": 15, "level3_days": 30}
    )
    assert response.status_code == 302
    assert dunning.dunning_settings().days() == {1: 5, 2: 15, 3: 30}
    assert AuditLog.objects.filter(action="reminder_settings.update").exists()


@pytest.mark.django_db
def test_rights_only_finance_changes_reminders(billing, client_for):
    customer = customer_of(billing)
    overdue(prepaid_invoice(billing, customer), 10)
    dunning.reminders_send()
    sales = client_for("sales")
    assert sales.get("/reminders/settings/").status_code == 403
    sales.post(f"/reminders/customers/{customer.pk}/pause/", {"note": "x"})
    assert not CustomerDunning.objects.filter(reminders_paused=True).exists()
    warehouse = client_for("warehouse")
    assert warehouse.get("/reminders/").status_code == 403
    finance = client_for("finance")
    assert finance.get("/reminders/").status_code == 200
    assert finance.get("/reminders/?export=csv").status_code == 200
    finance.post(f"/reminders/customers/{customer.pk}/pause/", {"note": "Disputed"})
    assert CustomerDunning.objects.get(customer=customer).reminders_paused
    page = finance.get(f"/customers/{customer.pk}/").content.decode()
    assert "Reminders paused" in page
    assert "Disputed" in page
    assert Customer.objects.get(pk=customer.pk).credit_hold is False
