"""Demo statements: a carrier's COD remittance (matched parcels, an amount difference, an
unknown tracking number and a duplicate row) and a bank statement whose lines wait for finance
with suggested matches, two of them already confirmed as payments. Both go through the
import services, as finance's uploads would."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from billing.bank_statements import bank_line_confirm, bank_statement_import, open_invoices
from billing.models import BankStatement, CodRemittance, Invoice
from billing.remittances import cod_remittance_import
from oms.demo import SeedContext
from shipping.choices import ShipmentStatus
from shipping.models import Carrier, Shipment


def _csv(header: str, rows: list[tuple]) -> str:
    return "\n".join([header, *(",".join(str(value) for value in row) for row in rows)]) + "\n"


def _cod_remittance(context: SeedContext) -> None:
    delivered = Shipment.objects.filter(
        status=ShipmentStatus.DELIVERED, cod_amount__gt=0, payments__isnull=True
    ).exclude(tracking_number="")
    busiest = Counter(delivered.values_list("carrier", flat=True)).most_common(1)
    carrier = Carrier.objects.filter(name=busiest[0][0]).first() if busiest else None
    if carrier is None:
        context.say("demo COD remittance: no delivered COD parcel of a known carrier")
        return
    parcels = list(delivered.filter(carrier=carrier.name).order_by("pk")[:24])
    # The carrier pays out what it collected up to about a week ago; the rest comes later.
    day = timezone.localdate(context.now) - timedelta(days=3)
    rows = [
        (
            p.tracking_number,
            p.cod_amount,
            (p.cod_amount * Decimal("0.01")).quantize(Decimal("0.01")),
            day,
        )
        for p in parcels[: max(1, len(parcels) - 4)]
    ]
    if len(rows) > 2:
        number, amount, fee, _day = rows[1]
        rows[1] = (number, amount - Decimal("5.00"), fee, day)  # the courier came back short
        rows.append(rows[0])  # the carrier's system listed a parcel twice
    rows.append((f"{carrier.code}9999999999", Decimal("88.00"), Decimal("0.88"), day))
    report = cod_remittance_import(
        actor=context.users.get("finance"),
        carrier=carrier,
        text=_csv("tracking_number,collected_amount,fee,remittance_date", rows),
        file_name=f"{carrier.code}-cod-{day:%Y%m%d}.csv",
        dry_run=False,
    )
    if report.errors:
        context.say(f"demo COD remittance: {' '.join(report.errors)}")


def _bank_statement(context: SeedContext) -> None:
    invoices = list(
        Invoice.objects.filter(open_invoices(), amount_paid=0)
        .select_related("customer", "order")
        .order_by("due_date", "pk")[:6]
    )
    if len(invoices) < 6:
        context.say("demo bank statement: fewer than six open invoices")
        return
    day = timezone.localdate(context.now) - timedelta(days=1)
    by_number, partial, by_order, by_payer, payer_only, _spare = invoices
    rows = [
        (day, by_number.open_amount, by_number.customer.name, f"货款 {by_number.number}"),
        (day, partial.open_amount / 2, partial.customer.name, f"{partial.number} 部分付款"),
        (day, by_order.open_amount, "", f"订单 {by_order.order.number}"),
        (day, by_payer.open_amount, by_payer.customer.name, "货款"),
        (day, Decimal("1000.00"), payer_only.customer.name, "预付款"),
        (day, Decimal("-35.00"), "中国工商银行", "手续费"),
        (day, Decimal("260.00"), "王小明", "转账"),
    ]
    report = bank_statement_import(
        actor=context.users.get("finance"),
        text=_csv(
            "date,amount,payer,reference",
            [(d, a.quantize(Decimal("0.01")), p, r) for d, a, p, r in rows],
        ),
        file_name=f"icbc-{day:%Y%m%d}.csv",
        dry_run=False,
    )
    if report.statement is None:
        context.say(f"demo bank statement: {' '.join(report.errors)}")
        return
    for line in report.statement.lines.order_by("line_no")[:2]:
        bank_line_confirm(actor=context.users["finance"], line=line)


def seed_statements_demo(context: SeedContext) -> None:
    if not CodRemittance.objects.exists():
        _cod_remittance(context)
    if not BankStatement.objects.exists():
        _bank_statement(context)
