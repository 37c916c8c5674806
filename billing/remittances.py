"""A carrier's cash-on-delivery remittance statement: what it collected at the door, per
parcel, less its fee. Each row is matched to a dispatched COD shipment of that carrier and
becomes the shipment's payment (with the carrier's fee), allocated to the shipment's invoice.

A check ("dry run") reports every row — matched, amount differs, unknown tracking number, not a
COD parcel, twice in the file, recorded before, invalid — and writes nothing. The import
writes the paying rows (matched and differing: the money arrived; a difference stays open on
the invoice or becomes credit) and keeps the file with every row's outcome. The same file
again is refused; a parcel already paid is never paid twice (one COD receipt per shipment,
and the payment's idempotency key is the shipment's).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from billing.choices import PaymentMethod, PaymentSource
from billing.import_values import file_digest, parse_amount, parse_date, previous_import
from billing.models import CodRemittance, CodRemittanceLine, Invoice, Payment
from billing.models.statements import PAYING_OUTCOMES, RemittanceOutcome
from billing.payments import payment_record
from oms.csv_upload import read_csv_rows
from oms.money import ZERO
from oms.services import audit_record
from oms.types import User
from shipping.choices import DISPATCHED_STATUSES
from shipping.models import Carrier, Shipment

PERMISSION = "billing.record_payment"
COD_COLUMNS = ("tracking_number", "collected_amount", "fee", "remittance_date")
REQUIRED_COD_COLUMNS = ("tracking_number", "collected_amount", "remittance_date")
COD_ALIASES = {
    "运单号": "tracking_number",
    "快递单号": "tracking_number",
    "tracking": "tracking_number",
    "代收金额": "collected_amount",
    "代收货款": "collected_amount",
    "collected": "collected_amount",
    "手续费": "fee",
    "回款日期": "remittance_date",
    "date": "remittance_date",
}
Outcome = RemittanceOutcome


@dataclass
class RemittanceRow:
    line: int
    values: dict[str, str]
    outcome: str = Outcome.MATCHED
    note: str = ""
    collected: Decimal | None = None
    fee: Decimal | None = None
    remitted_on: date | None = None
    shipment: Shipment | None = None
    payment: Payment | None = None
    cells: list[str] = field(default_factory=list)  # for the check report's table

    @property
    def pays(self) -> bool:
        return self.outcome in PAYING_OUTCOMES

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)


@dataclass
class RemittanceReport:
    rows: list[RemittanceRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the file as a whole
    remittance: CodRemittance | None = None

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.outcome for row in self.rows)
        return {str(Outcome(code).label): counted[code] for code in Outcome.values if counted[code]}

    @property
    def paying_rows(self) -> list[RemittanceRow]:
        return [row for row in self.rows if row.pays]

    @property
    def total_collected(self) -> Decimal:
        return sum((row.collected or ZERO for row in self.paying_rows), ZERO)

    @property
    def total_fees(self) -> Decimal:
        return sum((row.fee or ZERO for row in self.paying_rows), ZERO)


def _parse(row: RemittanceRow) -> None:
    values = row.values
    problems = []
    if not values.get("tracking_number"):
        problems.append(_("The tracking number is empty."))
    row.collected, problem = parse_amount(values.get("collected_amount", ""), positive=True)
    problems += [problem] if problem else []
    row.fee, problem = parse_amount(values.get("fee", "") or "0", positive=False)
    problems += [problem] if problem else []
    row.remitted_on, problem = parse_date(values.get("remittance_date", ""))
    problems += [problem] if problem else []
    if problems:
        row.outcome, row.note = Outcome.INVALID, " ".join(problems)


def _match(rows: list[RemittanceRow], carrier: Carrier) -> None:
    numbers = {row.values["tracking_number"] for row in rows if row.outcome != Outcome.INVALID}
    shipments = {
        shipment.tracking_number: shipment
        for shipment in Shipment.objects.filter(tracking_number__in=numbers)
        .filter(Q(carrier_service__carrier=carrier) | Q(carrier=carrier.name))
        .select_related("order", "order__customer")
    }
    paid = set(
        Payment.objects.filter(
            shipment__in=list(shipments.values()), method=PaymentMethod.COD, kind="receipt"
        ).values_list("shipment_id", flat=True)
    )
    seen: set[str] = set()
    for row in rows:
        if row.outcome == Outcome.INVALID:
            continue
        number = row.values["tracking_number"]
        shipment = shipments.get(number)
        if number in seen:
            row.outcome = Outcome.DUPLICATE
        elif shipment is None:
            row.outcome = Outcome.UNKNOWN
            row.note = _("No parcel of %(carrier)s has this tracking number.") % {
                "carrier": carrier
            }
        elif shipment.pk in paid:
            row.outcome, row.shipment = Outcome.ALREADY_RECORDED, shipment
        elif shipment.status not in DISPATCHED_STATUSES or shipment.cod_amount <= 0:
            row.outcome, row.shipment = Outcome.NOT_COD, shipment
            row.note = (
                _("%(shipment)s was not dispatched.")
                if shipment.status not in DISPATCHED_STATUSES
                else _("%(shipment)s has nothing to collect on delivery.")
            ) % {"shipment": shipment.number}
        else:
            row.shipment = shipment
            if row.collected != shipment.cod_amount:
                row.outcome = Outcome.AMOUNT_DIFFERS
                row.note = _("%(shipment)s was to collect %(expected)s.") % {
                    "shipment": shipment.number,
                    "expected": shipment.cod_amount,
                }
        seen.add(number)


def cod_remittance_import(
    *, actor: User | None, carrier: Carrier, text: str, file_name: str, dry_run: bool
) -> RemittanceReport:
    """Check a remittance statement row by row; unless `dry_run`, record its paying rows."""
    if actor is not None and not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("Your role does not allow recording payments."))
    report = RemittanceReport()
    if previous := previous_import(CodRemittance, text, carrier=carrier):
        report.errors.append(previous)
        return report
    records, report.errors = read_csv_rows(
        text, columns=COD_COLUMNS, required=REQUIRED_COD_COLUMNS, aliases=COD_ALIASES
    )
    report.rows = [RemittanceRow(line, values) for line, values in enumerate(records, start=2)]
    for row in report.rows:
        _parse(row)
    _match(report.rows, carrier)
    if dry_run or report.errors:
        return report
    try:
        with transaction.atomic():
            report.remittance = _record(actor, carrier, text, file_name, report)
    except IntegrityError:
        # The same file imported at the same moment by someone else: theirs won.
        report.remittance = None
        report.errors.append(previous_import(CodRemittance, text, carrier=carrier) or "")
    return report


def _record(
    actor: User | None, carrier: Carrier, text: str, file_name: str, report: RemittanceReport
) -> CodRemittance:
    remittance = CodRemittance.objects.create(
        carrier=carrier,
        file_name=file_name[:200],
        digest=file_digest(text),
        rows=len(report.rows),
        imported_by=actor,
    )
    for row in report.paying_rows:
        shipment = row.shipment
        assert shipment is not None
        assert row.collected is not None
        assert row.remitted_on is not None
        invoices = list(Invoice.objects.filter(shipment=shipment).exclude(number=None))
        row.payment = payment_record(
            actor=actor,
            customer=shipment.order.customer,
            amount=row.collected,
            method=PaymentMethod.COD,
            received_on=row.remitted_on,
            idempotency_key=f"cod-{shipment.pk}",
            reference=shipment.tracking_number,
            payer=carrier.name,
            invoices=invoices or None,
            fee=row.fee or ZERO,
            shipment=shipment,
            source=PaymentSource.COD_REMITTANCE,
            note=row.note,
        )
    CodRemittanceLine.objects.bulk_create(
        CodRemittanceLine(
            remittance=remittance,
            line_no=row.line,
            tracking_number=row.values.get("tracking_number", "")[:40],
            collected=row.collected,
            fee=row.fee,
            remitted_on=row.remitted_on,
            outcome=row.outcome,
            note=row.note[:300],
            shipment=row.shipment,
            payment=row.payment,
        )
        for row in report.rows
    )
    remittance.recorded = len(report.paying_rows)
    remittance.total_collected = report.total_collected
    remittance.total_fees = report.total_fees
    remittance.save(update_fields=["recorded", "total_collected", "total_fees"])
    audit_record(
        actor=actor,
        action="cod_remittance.import",
        obj=remittance,
        changes={
            "carrier": carrier.name,
            "rows": remittance.rows,
            "recorded": remittance.recorded,
            "collected": remittance.total_collected,
            "fees": remittance.total_fees,
        },
    )
    return remittance
