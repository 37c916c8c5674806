"""Overdue reminders and the credit hold they lead to.

Overdue: an installment past its due date with an open amount (amount − paid − credited) on an
issued (or partly credited) invoice. An invoice is as many days overdue as its oldest open
installment is past due.

The daily job (`reminders_send`, beat job "billing-reminders") goes through the customers with
overdue invoices whose reminders are not paused, one short transaction each:
- each invoice moves up one level a day at most, to the highest level its days overdue reach
  (settings: `DunningSettings`): a level is never skipped, so an invoice found 60 days overdue
  gets the friendly reminder today, the firm one tomorrow and the final notice the day after;
  a second run the same day sends nothing new;
- a `Reminder` row per (invoice, level) is inserted first; the unique constraint refuses a
  second one, so two runs at the same time send each level once (the customer's row lock
  makes the second run wait and then find the first run's rows);
- one message per customer and level groups that run's invoices (a customer with three
  overdue invoices gets one e-mail listing them), in the customer's language, with the
  customer's statement of account attached (billing.statements, rendered by the outbox
  worker when it sends); level 2 copies the salesperson; level 3 also puts the customer on
  credit hold (customers.services.customer_credit_hold_set, audited).

A hold the final notice put is lifted by `dunning_after_payment(customer_id)` once nothing is
overdue (payments call it after allocating); finance lifts any hold with a note.
"""

import logging
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import InvoiceStatus
from billing.models import (
    CustomerDunning,
    DunningSettings,
    Installment,
    Invoice,
    Payment,
    Reminder,
    ReminderLevel,
)
from customers.models import Customer
from customers.services import customer_credit_hold_set
from oms.db import atomic_with_retry
from oms.messaging import notify
from oms.money import ZERO
from oms.services import audit_record, model_save
from oms.types import User
from orders.review import CREDIT_OPEN_STATUSES

logger = logging.getLogger(__name__)
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)

OPEN_INVOICE = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_CREDITED)
EVENT_OF_LEVEL = {1: "invoice.reminder1", 2: "invoice.reminder2", 3: "invoice.reminder3"}
# Why a customer is on hold, as stored in the audit row (worded by the customer page).
HOLD_FINAL_NOTICE = "final_notice"
HOLD_LIFTED_PAID = "overdue_paid"
HOLD_LIFTED_BY_FINANCE = "lifted_by_finance"


# --- settings ------------------------------------------------------------------------------


def dunning_settings() -> DunningSettings:
    settings_row, _created = DunningSettings.objects.get_or_create(pk=1)
    return settings_row


@transaction.atomic
def dunning_settings_update(*, actor: User, data: dict[str, Any]) -> DunningSettings:
    """Finance's days per level; they must increase (1 ≤ friendly < firm < final)."""
    row = DunningSettings.objects.select_for_update().get(pk=dunning_settings().pk)
    return model_save(actor=actor, instance=row, data=data, action="reminder_settings.update")


def level_for(days_overdue: int, days: dict[int, int]) -> int:
    """The highest level these days overdue reach (0: none yet)."""
    return max((level for level, at in days.items() if days_overdue >= at), default=0)


# --- what is overdue -----------------------------------------------------------------------


def open_installments() -> QuerySet[Installment]:
    return Installment.objects.filter(
        amount__gt=F("amount_paid") + F("amount_credited"), invoice__status__in=OPEN_INVOICE
    )


def overdue_installments(on: date) -> QuerySet[Installment]:
    return open_installments().filter(due_date__lt=on)


def overdue_by_invoice(customer_id: int, on: date) -> dict[int, tuple[date, Decimal]]:
    """invoice id -> (oldest open due date past `on`, open amount past due)."""
    rows = (
        overdue_installments(on)
        .filter(invoice__customer_id=customer_id)
        .values("invoice_id")
        .annotate(
            oldest=Min("due_date"),
            open=Sum(F("amount") - F("amount_paid") - F("amount_credited")),
        )
    )
    return {row["invoice_id"]: (row["oldest"], row["open"]) for row in rows}


def has_overdue(customer_id: int, on: date | None = None) -> bool:
    on = on or timezone.localdate()
    return overdue_installments(on).filter(invoice__customer_id=customer_id).exists()


# --- the daily job -------------------------------------------------------------------------


def customers_to_remind(on: date) -> list[int]:
    paused = CustomerDunning.objects.filter(reminders_paused=True).values("customer_id")
    return list(
        overdue_installments(on)
        .exclude(invoice__customer_id__in=paused)
        .order_by()
        .values_list("invoice__customer_id", flat=True)
        .distinct()
    )


def reminders_send(*, on: date | None = None) -> int:
    """The daily job: the reminders due today, one transaction per customer. Returns how many
    reminder rows (invoice, level) it wrote; a second run the same day writes none."""
    on = on or timezone.localdate()
    days = dunning_settings().days()
    written = 0
    for customer_id in customers_to_remind(on):
        written += customer_remind(customer_id=customer_id, on=on, days=days)
    return written


@atomic_with_retry()
def customer_remind(
    *, customer_id: int, on: date, days: dict[int, int], at: datetime | None = None
) -> int:
    """One customer's reminders due on `on`; `at` is when they are sent (now, or a moment of
    `on` when the demo replays past days)."""
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("salesperson")
        .get(pk=customer_id)
    )
    state = CustomerDunning.objects.filter(customer=customer).first()
    if state is not None and state.reminders_paused:
        return 0
    overdue = overdue_by_invoice(customer_id, on)
    sent: dict[int, int] = defaultdict(int)
    reminded_today = set()
    for invoice_id, level, sent_at in Reminder.objects.filter(invoice_id__in=overdue).values_list(
        "invoice_id", "level", "sent_at"
    ):
        sent[invoice_id] = max(sent[invoice_id], level)
        if timezone.localdate(sent_at) >= on:
            reminded_today.add(invoice_id)
    now = at or timezone.now()
    by_level: dict[int, list[Reminder]] = defaultdict(list)
    for invoice_id, (oldest, open_amount) in sorted(overdue.items()):
        if invoice_id in reminded_today:
            continue  # one level a day: a second run today (or at the same time) adds none
        days_overdue = (on - oldest).days
        level = min(level_for(days_overdue, days), sent[invoice_id] + 1)
        if level <= sent[invoice_id]:
            continue
        reminder = Reminder(
            invoice_id=invoice_id,
            customer=customer,
            level=level,
            sent_at=now,
            days_overdue=days_overdue,
            open_amount=open_amount,
        )
        try:
            with transaction.atomic():  # a savepoint: another run wrote this level first
                reminder.save(force_insert=True)
        except IntegrityError:
            continue
        by_level[level].append(reminder)
    for level, reminders in sorted(by_level.items()):
        message = _send(customer, level, reminders, on)
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(message=message)
        if level == ReminderLevel.FINAL:
            _hold(customer, reminders[0].invoice_id, now)
    return sum(len(r) for r in by_level.values())


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _send(customer: Customer, level: int, reminders: list[Reminder], on: date):
    invoices = {i.pk: i for i in Invoice.objects.filter(pk__in=[r.invoice_id for r in reminders])}
    lines = [
        f"{invoices[r.invoice_id].number} · {invoices[r.invoice_id].issue_date} · "
        f"{_money(invoices[r.invoice_id].total)} · {_money(r.open_amount)} "
        f"({r.days_overdue})"
        for r in reminders
    ]
    context = {
        "customer_name": customer.name,
        "invoice_list": "\n".join(lines),
        "invoice_numbers": ", ".join(invoices[r.invoice_id].number or "" for r in reminders),
        "overdue_total": _money(sum((r.open_amount for r in reminders), ZERO)),
        "days_overdue": max(r.days_overdue for r in reminders),
    }
    cc = []
    if level >= ReminderLevel.FIRM and customer.salesperson and customer.salesperson.email:
        cc.append(customer.salesperson.email)
    key = f"{level}:" + ",".join(str(r.invoice_id) for r in reminders)
    return notify(
        customer,
        EVENT_OF_LEVEL[level],
        context,
        key=key,
        cc=cc,
        attachments=reminder_attachments(customer, on),
    )


def reminder_attachments(customer: Customer, on: date) -> list[dict[str, Any]]:
    """The customer's statement from its oldest open invoice to today (made when sent by
    billing/reminder_documents.py)."""
    first = (
        (
            open_installments()
            .filter(invoice__customer=customer)
            .aggregate(first=Min("invoice__issue_date"))["first"]
        )
        or on
    )
    args = {"customer_id": customer.pk, "start": first.isoformat(), "end": on.isoformat()}
    return [{"code": "billing.statement_pdf", "args": args}]


def _hold(customer: Customer, invoice_id: int, at: datetime) -> None:
    state, _created = CustomerDunning.objects.get_or_create(customer=customer)
    changed = customer_credit_hold_set(
        actor=None, customer_id=customer.pk, hold=True, reason=HOLD_FINAL_NOTICE
    )
    if changed:
        state.hold_automatic, state.hold_since, state.hold_invoice_id = (
            True,
            at,
            invoice_id,
        )
        state.save(update_fields=["hold_automatic", "hold_since", "hold_invoice"])


# --- finance's decisions -------------------------------------------------------------------


@transaction.atomic
def reminders_pause(*, actor: User, customer: Customer, paused: bool, note: str = "") -> bool:
    """Pause or resume a customer's reminders (audited). Returns whether anything changed."""
    Customer.objects.select_for_update().filter(pk=customer.pk).get()
    state, _created = CustomerDunning.objects.get_or_create(customer=customer)
    if state.reminders_paused == paused:
        return False
    if paused and not note.strip():
        raise ValidationError({"note": _("Say why the reminders are paused.")})
    state.reminders_paused = paused
    state.pause_note = note.strip()[:300] if paused else ""
    state.paused_at = timezone.now() if paused else None
    state.paused_by = actor if paused else None
    state.save()
    changes = {"reminders_paused": [not paused, paused], "note": note.strip()}
    if paused:
        audit_record(actor=actor, action="reminders.pause", obj=state, changes=changes)
    else:
        audit_record(actor=actor, action="reminders.resume", obj=state, changes=changes)
    return True


@transaction.atomic
def credit_hold_lift(*, actor: User, customer: Customer, note: str) -> bool:
    """Finance lifts a customer's credit hold, with a note (audited by customers)."""
    if not note.strip():
        raise ValidationError({"note": _("Say why the credit hold is lifted.")})
    changed = customer_credit_hold_set(
        actor=actor,
        customer_id=customer.pk,
        hold=False,
        reason=HOLD_LIFTED_BY_FINANCE,
        note=note.strip()[:300],
    )
    CustomerDunning.objects.filter(customer=customer).update(
        hold_automatic=False, hold_since=None, hold_invoice=None
    )
    return changed


@transaction.atomic
def dunning_after_payment(customer_id: int) -> bool:
    """After money came in (billing.payments calls this in its transaction): lift the hold the
    final notice put once nothing of the customer is overdue. A hold finance set stays.
    Returns whether the hold was lifted."""
    state = (
        CustomerDunning.objects.select_for_update()
        .filter(customer_id=customer_id, hold_automatic=True)
        .first()
    )
    if state is None or has_overdue(customer_id):
        return False
    customer_credit_hold_set(
        actor=None, customer_id=customer_id, hold=False, reason=HOLD_LIFTED_PAID
    )
    state.hold_automatic, state.hold_since, state.hold_invoice = False, None, None
    state.save(update_fields=["hold_automatic", "hold_since", "hold_invoice"])
    return True


# --- the credit check ----------------------------------------------------------------------


def invoice_exposures(customer_ids: list[int], excluding: int | None) -> dict[int, Decimal]:
    """Registered with orders.hooks.credit_exposure_providers: what the customer owes on
    invoices less its unapplied credit, per customer (a batch of new orders asks for many).

    No double counting: the credit check already counts open orders (in review, confirmed …
    partially shipped) and the order being checked at their full total, so invoices of those
    orders (a prepaid order invoiced at confirmation, the first shipment of a partly shipped
    order) count nothing here; the invoices of shipped, delivered and completed orders count
    with their open installments."""
    counted = Q(invoice__order__status__in=CREDIT_OPEN_STATUSES)
    if excluding is not None:
        counted |= Q(invoice__order_id=excluding)
    unpaid = (
        open_installments()
        .filter(invoice__customer_id=OuterRef("pk"))
        .exclude(counted)
        .order_by()
        .values("invoice__customer_id")
        .annotate(total=Sum(F("amount") - F("amount_paid") - F("amount_credited")))
        .values("total")
    )
    credit = (
        Payment.objects.filter(customer_id=OuterRef("pk"), unapplied__gt=0)
        .order_by()
        .values("customer_id")
        .annotate(total=Sum("unapplied"))
        .values("total")
    )
    # One statement: the credit check runs inside every order placement.
    rows = (
        Customer.objects.filter(pk__in=customer_ids)
        .annotate(
            unpaid=Coalesce(Subquery(unpaid), ZERO, output_field=MONEY_FIELD),
            credit=Coalesce(Subquery(credit), ZERO, output_field=MONEY_FIELD),
        )
        .values_list("pk", "unpaid", "credit")
    )
    owed = dict.fromkeys(customer_ids, ZERO)
    for pk, unpaid, credit in rows:
        owed[pk] = unpaid - credit
    return owed
