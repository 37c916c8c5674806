"""The bank's account statement: its incoming transfers become payments once finance confirms
each one. On import every credit line gets a suggested match — the invoice whose number is in
the reference, else the order's, else the customer named as payer (with the invoice of exactly
that open amount when there is one) — and waits on the statement's page. Debits are skipped. A
line already imported from an overlapping statement is recognised and not added again.
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from billing.choices import InvoiceStatus, PaymentMethod, PaymentSource
from billing.import_values import file_digest, parse_date, parse_signed_amount, previous_import
from billing.models import BankStatement, BankStatementLine, Invoice
from billing.models.statements import MATCH_REASONS, BankLineStatus
from billing.payments import payment_record
from customers.models import Customer
from oms.csv_upload import read_csv_rows
from oms.errors import ServiceError
from oms.services import audit_record
from oms.types import User
from orders.models import Order

PERMISSION = "billing.record_payment"
BANK_COLUMNS = ("date", "amount", "payer", "reference")
REQUIRED_BANK_COLUMNS = ("date", "amount")
BANK_ALIASES = {
    "交易日期": "date",
    "日期": "date",
    "金额": "amount",
    "贷方金额": "amount",
    "收入金额": "amount",
    "付款人": "payer",
    "对方户名": "payer",
    "对方账户名称": "payer",
    "摘要": "reference",
    "附言": "reference",
    "用途": "reference",
    "备注": "reference",
}
INVOICE_NUMBER = re.compile(r"\bINV-\d{4}-\d{6}\b", re.IGNORECASE)
ORDER_NUMBER = re.compile(r"\bSO-\d{4}-\d{6}\b", re.IGNORECASE)


@dataclass
class BankRow:
    line: int
    values: dict[str, str]
    booked_on: date | None = None
    amount: Decimal | None = None
    problem: str = ""
    known: bool = False  # imported before, from this or an overlapping statement
    fingerprint: str = ""
    customer: Customer | None = None
    invoice: Invoice | None = None
    reason: str = ""
    cells: list[str] = field(default_factory=list)  # for the check report's table

    @property
    def skipped(self) -> bool:
        return bool(self.problem) or self.known

    @property
    def reason_label(self) -> str:
        return str(MATCH_REASONS.get(self.reason, ""))


@dataclass
class BankReport:
    rows: list[BankRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statement: BankStatement | None = None

    @property
    def new_rows(self) -> list[BankRow]:
        return [row for row in self.rows if not row.skipped]

    @property
    def suggested(self) -> int:
        return sum(1 for row in self.new_rows if row.customer)


def open_invoices() -> "Q":
    return Q(
        status__in=(InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_CREDITED),
        total__gt=F("amount_credited") + F("amount_paid"),
    )


def _parse(rows: list[BankRow]) -> None:
    occurrences: Counter[tuple] = Counter()
    for row in rows:
        row.booked_on, problem = parse_date(row.values.get("date", ""))
        row.amount, amount_problem = parse_signed_amount(row.values.get("amount", ""))
        row.problem = " ".join(p for p in (problem, amount_problem) if p)
        if not row.problem and row.amount is not None and row.amount <= 0:
            row.problem = _("Not a receipt (a debit or 0): skipped.")
        if row.problem:
            continue
        key = (
            row.booked_on,
            row.amount,
            row.values.get("payer", ""),
            row.values.get("reference", ""),
        )
        occurrences[key] += 1
        row.fingerprint = hashlib.sha256(
            "|".join(map(str, (*key, occurrences[key]))).encode()
        ).hexdigest()
    known = set(
        BankStatementLine.objects.filter(
            fingerprint__in=[row.fingerprint for row in rows if row.fingerprint]
        ).values_list("fingerprint", flat=True)
    )
    for row in rows:
        row.known = row.fingerprint in known


def _suggest(rows: list[BankRow]) -> None:
    """One query per rule for the whole statement, never one per line."""
    rows = [row for row in rows if not row.skipped]
    references = " ".join(row.values.get("reference", "") for row in rows)
    by_number = {
        invoice.number: invoice
        for invoice in Invoice.objects.filter(
            number__in={n.upper() for n in INVOICE_NUMBER.findall(references)}
        ).select_related("customer")
    }
    order_numbers = {n.upper() for n in ORDER_NUMBER.findall(references)}
    by_order: dict[str, Invoice] = {}
    for invoice in (
        Invoice.objects.filter(open_invoices(), order__number__in=order_numbers)
        .select_related("customer", "order")
        .order_by("due_date", "id")
    ):
        by_order.setdefault(invoice.order.number, invoice)
    orders = {
        order.number: order.customer
        for order in Order.objects.filter(number__in=order_numbers).select_related("customer")
    }
    payers = {row.values.get("payer", "") for row in rows} - {""}
    customers: dict[str, Customer] = {}
    for customer in Customer.objects.filter(Q(name__in=payers) | Q(fapiao_title__in=payers)):
        customers.setdefault(customer.name, customer)
        if customer.fapiao_title:
            customers.setdefault(customer.fapiao_title, customer)
    open_by_customer: dict[int, list[Invoice]] = {}
    for invoice in Invoice.objects.filter(
        open_invoices(), customer__in=list(customers.values())
    ).order_by("due_date", "id"):
        open_by_customer.setdefault(invoice.customer_id, []).append(invoice)
    for row in rows:
        reference = row.values.get("reference", "")
        numbers = [n.upper() for n in INVOICE_NUMBER.findall(reference)]
        invoice = next((by_number[n] for n in numbers if n in by_number), None)
        if invoice:
            row.invoice, row.customer, row.reason = invoice, invoice.customer, "invoice"
            continue
        order_number = next((n.upper() for n in ORDER_NUMBER.findall(reference)), None)
        if order_number and order_number in orders:
            invoice = by_order.get(order_number)
            row.invoice, row.customer, row.reason = invoice, orders[order_number], "order"
            continue
        customer = customers.get(row.values.get("payer", ""))
        if customer:
            row.customer, row.reason = customer, "payer"
            for candidate in open_by_customer.get(customer.pk, []):
                if candidate.open_amount == row.amount:
                    row.invoice, row.reason = candidate, "payer_amount"
                    break


def bank_statement_import(
    *, actor: User | None, text: str, file_name: str, dry_run: bool
) -> BankReport:
    """Check a bank statement; unless `dry_run`, keep its new credit lines with their
    suggested matches for finance to confirm."""
    if actor is not None and not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("Your role does not allow recording payments."))
    report = BankReport()
    if previous := previous_import(BankStatement, text):
        report.errors.append(previous)
        return report
    records, report.errors = read_csv_rows(
        text, columns=BANK_COLUMNS, required=REQUIRED_BANK_COLUMNS, aliases=BANK_ALIASES
    )
    report.rows = [BankRow(line, values) for line, values in enumerate(records, start=2)]
    _parse(report.rows)
    _suggest(report.rows)
    if dry_run or report.errors:
        return report
    try:
        with transaction.atomic():
            report.statement = _keep(actor, text, file_name, report)
    except IntegrityError:
        report.statement = None
        report.errors.append(
            previous_import(BankStatement, text)
            or _("Another import took some of these lines at the same moment: check again.")
        )
    return report


def _keep(actor: User | None, text: str, file_name: str, report: BankReport) -> BankStatement:
    statement = BankStatement.objects.create(
        file_name=file_name[:200],
        digest=file_digest(text),
        rows=len(report.rows),
        imported_by=actor,
    )
    BankStatementLine.objects.bulk_create(
        BankStatementLine(
            statement=statement,
            line_no=row.line,
            booked_on=row.booked_on,
            amount=row.amount,
            payer=row.values.get("payer", "")[:200],
            reference=row.values.get("reference", "")[:200],
            fingerprint=row.fingerprint,
            suggested_customer=row.customer,
            suggested_invoice=row.invoice,
            match_reason=row.reason,
        )
        for row in report.new_rows
    )
    audit_record(
        actor=actor,
        action="bank_statement.import",
        obj=statement,
        changes={
            "rows": len(report.rows),
            "kept": len(report.new_rows),
            "suggested": report.suggested,
        },
    )
    return statement


def _lock_open_line(line: BankStatementLine) -> BankStatementLine:
    line = BankStatementLine.objects.select_for_update().get(pk=line.pk)
    if line.status != BankLineStatus.OPEN:
        raise ServiceError(
            _("This line was dealt with already: %(status)s.")
            % {"status": line.get_status_display()}
        )
    return line


@transaction.atomic
def bank_line_confirm(
    *,
    actor: User,
    line: BankStatementLine,
    customer: Customer | None = None,
    invoice: Invoice | None = None,
) -> BankStatementLine:
    """Record the line as the customer's bank transfer: to the chosen (or suggested) invoice,
    else to the customer's oldest open invoices; what is left is the customer's credit."""
    if not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("Your role does not allow recording payments."))
    line = _lock_open_line(line)
    if invoice is None and customer is None:
        invoice, customer = line.suggested_invoice, line.suggested_customer
    if invoice is not None:
        customer = invoice.customer
    if customer is None:
        raise ServiceError(_("Choose the customer who paid (no match was found)."))
    line.payment = payment_record(
        actor=actor,
        customer=customer,
        amount=line.amount,
        method=PaymentMethod.BANK_TRANSFER,
        received_on=line.booked_on,
        idempotency_key=f"bank-{line.fingerprint[:59]}",
        reference=line.reference[:100],
        payer=line.payer,
        invoices=[invoice] if invoice is not None else None,
        source=PaymentSource.BANK_STATEMENT,
    )
    line.status = BankLineStatus.CONFIRMED
    line.save(update_fields=["payment", "status"])
    audit_record(
        actor=actor,
        action="bank_line.confirm",
        obj=line.statement,
        changes={"line": line.line_no, "payment": line.payment.number, "amount": line.amount},
    )
    return line


@transaction.atomic
def bank_line_ignore(*, actor: User, line: BankStatementLine) -> BankStatementLine:
    """Not a customer's payment (a refund from a supplier, interest): kept, never recorded."""
    if not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("Your role does not allow recording payments."))
    line = _lock_open_line(line)
    line.status = BankLineStatus.IGNORED
    line.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="bank_line.ignore",
        obj=line.statement,
        changes={"line": line.line_no, "amount": line.amount},
    )
    return line
