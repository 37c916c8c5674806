"""Installment schedules: finance splits what an issued invoice asks for over several due dates
("30 % now, 70 % in 60 days"). Aging and reminders read the installments, so a schedule moves
when the money counts as overdue; the invoice itself (its lines, totals and printed due date)
never changes.

`invoice_schedule_set` replaces the invoice's installments as a whole, only while nothing has
been paid on it: once money is allocated, the installments it settled are history a re-plan
would rewrite, so finance credits or collects instead. What credit notes took off the invoice
is taken off the new schedule again, the latest installment first (as credit notes always do).

Presets are worked out from the invoice's total and a start day (today, never before the
invoice's date); the last installment takes the rounding rest, so the amounts add up to the
total to the cent. Payment terms carry no default schedule: every invoice starts with one
installment at its due date, and finance plans others per invoice.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.choices import InvoiceStatus
from billing.installments import installments_create, installments_credit
from billing.models import Installment, Invoice
from customers.models import Customer
from oms.db import atomic_with_retry
from oms.errors import ServiceError
from oms.money import ZERO, round_money
from oms.services import audit_record
from oms.types import User
from orders.choices import OrderStatus

PERMISSION = "billing.issue_invoice"
MAX_INSTALLMENTS = 12
# The last installment falls due at most this long after the invoice's date.
MAX_SPAN = timedelta(days=3 * 366)
PLANNABLE = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_CREDITED)


@dataclass(frozen=True)
class Preset:
    code: str
    label: Promise
    # (percent of the total, days after the start day)
    parts: tuple[tuple[int, int], ...]


PRESETS = (
    Preset("30-70-60", gettext_lazy("30 % now, 70 % in 60 days"), ((30, 0), (70, 60))),
    Preset("30-70-30", gettext_lazy("30 % now, 70 % in 30 days"), ((30, 0), (70, 30))),
    Preset("50-50-30", gettext_lazy("50 % now, 50 % in 30 days"), ((50, 0), (50, 30))),
    Preset(
        "3-monthly",
        gettext_lazy("Three monthly payments"),
        ((34, 30), (33, 60), (33, 90)),
    ),
)
PRESETS_BY_CODE = {preset.code: preset for preset in PRESETS}


def preset_schedule(invoice: Invoice, code: str, *, start: date | None = None) -> list:
    """[(due date, amount)] of a preset for this invoice; the last part takes the rest."""
    preset = PRESETS_BY_CODE.get(code)
    if preset is None:
        raise ServiceError(_("Choose one of the offered schedules."))
    base = max(start or timezone.localdate(), invoice.issue_date or timezone.localdate())
    total = invoice.total
    rows: list[tuple[date, Decimal]] = []
    for index, (percent, days) in enumerate(preset.parts):
        if index == len(preset.parts) - 1:
            amount = total - sum((amount for _due, amount in rows), ZERO)
        else:
            amount = round_money(total * percent / 100)
        rows.append((base + timedelta(days=days), amount))
    return rows


def _check_rows(invoice: Invoice, schedule: Sequence[tuple[date, Decimal]]) -> None:
    if not schedule:
        raise ServiceError(_("Enter at least one installment."))
    if len(schedule) > MAX_INSTALLMENTS:
        raise ServiceError(_("At most %(max)s installments.") % {"max": MAX_INSTALLMENTS})
    for due, amount in schedule:
        if not isinstance(due, date) or not isinstance(amount, Decimal):
            raise ServiceError(_("Each installment needs a due date and an amount."))
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise ServiceError(_("Amounts have at most two decimal places."))
    dates = [due for due, _amount in schedule]
    if any(later <= earlier for earlier, later in pairwise(dates)):
        raise ServiceError(
            _("Each installment must fall due after the one before: put the dates in order.")
        )
    if invoice.issue_date and dates[0] < invoice.issue_date:
        raise ServiceError(
            _("The first installment cannot fall due before the invoice's date %(date)s.")
            % {"date": invoice.issue_date.isoformat()}
        )
    if invoice.issue_date and dates[-1] > invoice.issue_date + MAX_SPAN:
        raise ServiceError(_("The last installment must fall due within three years."))


def _plain(rows) -> list[list[str]]:
    return [[due.isoformat(), f"{amount:.2f}"] for due, amount in rows]


@atomic_with_retry()
def invoice_schedule_set(
    *, actor: User, invoice: Invoice, schedule: Sequence[tuple[date, Decimal]]
) -> list[Installment]:
    """Replace the issued invoice's installments with `schedule` [(due date, amount)]: dates
    in order, amounts positive with two decimals adding up to the invoice's total. Refused
    once anything is paid on the invoice. Locks the customer, then the invoice (the order
    billing.payments locks them in). Returns the new installments."""
    if not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("Your role does not allow planning installments."))
    Customer.objects.select_for_update().filter(pk=invoice.customer_id).first()
    invoice = (
        Invoice.objects.select_for_update(of=("self",)).select_related("order").get(pk=invoice.pk)
    )
    if invoice.status not in PLANNABLE or invoice.open_amount <= 0:
        raise ServiceError(
            _(
                "Only an issued invoice with money open gets installments; %(invoice)s is %(status)s."
            )
            % {"invoice": invoice, "status": invoice.get_status_display()}
        )
    if invoice.order.status == OrderStatus.CANCELLED:
        raise ServiceError(_("%(invoice)s is of a cancelled order.") % {"invoice": invoice})
    if invoice.amount_paid > 0:
        raise ServiceError(
            _(
                "%(invoice)s is already paid in part (%(paid)s): its installments can no longer "
                "be planned again."
            )
            % {"invoice": invoice, "paid": f"{invoice.amount_paid:.2f}"}
        )
    _check_rows(invoice, schedule)
    before = list(invoice.installments.order_by("position").values_list("due_date", "amount"))
    invoice.installments.all().delete()
    installments_create(invoice, schedule)
    if invoice.amount_credited > 0:
        installments_credit(invoice, invoice.amount_credited)
    audit_record(
        actor=actor,
        action="invoice.schedule",
        obj=invoice,
        changes={"installments": [_plain(before), _plain(schedule)]},
    )
    return list(invoice.installments.order_by("position"))


def installments_context(invoice: Invoice, user) -> dict:
    """What the invoice page shows of its installments, and whether the user may re-plan."""
    today = timezone.localdate()
    installments = list(invoice.installments.order_by("position"))
    for installment in installments:
        installment.overdue = installment.open_amount > 0 and installment.due_date < today
    return {
        "installments": installments,
        "can_plan": invoice.status in PLANNABLE
        and invoice.amount_paid == 0
        and invoice.open_amount > 0
        and invoice.order.status != OrderStatus.CANCELLED
        and user.has_perm(PERMISSION),
    }
