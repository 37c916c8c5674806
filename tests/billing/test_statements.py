"""Money from outside: a carrier's COD remittance statement and the bank's statement, each
checked row by row before anything is written, and never recorded twice."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from billing import bank_statements, remittances
from billing.choices import PaymentMethod, PaymentSource
from billing.models import BankStatementLine, CodRemittance, Invoice, Payment
from billing.models.statements import BankLineStatus, RemittanceOutcome
from oms.errors import ServiceError
from orders import services as order_services
from shipping import services as shipping_services
from shipping.models import Carrier
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
O = RemittanceOutcome  # noqa: E741


@pytest.fixture
def finance(db):
    return UserFactory(username="finance-user", role="finance")


@pytest.fixture
def sf(db):
    return Carrier.objects.create(code="SF", name="SF Express", supports_cod=True)


def dispatched_cod(billing, run_hooks, tracking, *, seed=1):
    """A cash-on-delivery order dispatched with SF Express; its invoice issued at dispatch."""
    lamp = billing.product("100.00")
    billing.stock(lamp, billing.shanghai, 10)
    customer = billing.business(seed=seed, payment_terms="cod")
    with run_hooks():
        order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 2)))
        [shipment] = billing.packed(order)
        shipment = shipping_services.shipment_dispatch(
            actor=None,
            shipment=shipment,
            details=billing.details(tracking=tracking, cod_amount=order.total),
        )
    return shipment


def statement(*rows, header="tracking_number,collected_amount,fee,remittance_date"):
    return "\n".join([header, *(",".join(map(str, row)) for row in rows)]) + "\n"


def test_a_check_reports_every_row_and_writes_nothing(billing, run_hooks, sf, finance):
    first = dispatched_cod(billing, run_hooks, "SF100", seed=1)
    second = dispatched_cod(billing, run_hooks, "SF200", seed=2)
    text = statement(
        ("SF100", first.cod_amount, "2.00", "2026-11-20"),
        ("SF200", second.cod_amount - 1, "2.00", "2026-11-20"),
        ("SF999", "10.00", "1.00", "2026-11-20"),
        ("SF100", first.cod_amount, "2.00", "2026-11-20"),
        ("SF300", "abc", "1.00", "20/11/2026"),
    )
    report = remittances.cod_remittance_import(
        actor=finance, carrier=sf, text=text, file_name="sf.csv", dry_run=True
    )
    assert [row.outcome for row in report.rows] == [
        O.MATCHED,
        O.AMOUNT_DIFFERS,
        O.UNKNOWN,
        O.DUPLICATE,
        O.INVALID,
    ]
    assert "abc is not an amount" in report.rows[4].note
    assert "is not a date" in report.rows[4].note
    assert str(second.cod_amount) in report.rows[1].note
    assert report.total_collected == first.cod_amount + second.cod_amount - 1
    assert not Payment.objects.exists()
    assert not CodRemittance.objects.exists()


def test_an_import_records_each_parcel_once_with_the_carriers_fee(billing, run_hooks, sf, finance):
    shipment = dispatched_cod(billing, run_hooks, "SF100")
    [invoice] = Invoice.objects.filter(shipment=shipment)
    text = statement(
        ("SF100", shipment.cod_amount, "3.50", "2026-11-20"), ("SF999", 5, 0, "2026-11-20")
    )
    report = remittances.cod_remittance_import(
        actor=finance, carrier=sf, text=text, file_name="sf.csv", dry_run=False
    )
    remittance = report.remittance
    assert (remittance.rows, remittance.recorded, remittance.total_fees) == (2, 1, D("3.50"))
    [payment] = Payment.objects.all()
    assert (payment.method, payment.source, payment.shipment, payment.fee) == (
        PaymentMethod.COD,
        PaymentSource.COD_REMITTANCE,
        shipment,
        D("3.50"),
    )
    invoice.refresh_from_db()
    assert invoice.amount_paid == shipment.cod_amount
    assert [line.outcome for line in remittance.lines.all()] == [O.MATCHED, O.UNKNOWN]

    # The same file again: refused as a whole. Another file with the same parcel: reported
    # as recorded before, nothing written twice.
    again = remittances.cod_remittance_import(
        actor=finance, carrier=sf, text=text, file_name="sf.csv", dry_run=False
    )
    assert again.remittance is None
    assert "was imported on" in again.errors[0]
    other = remittances.cod_remittance_import(
        actor=finance,
        carrier=sf,
        text=statement(("SF100", shipment.cod_amount, "3.50", "2026-11-21")),
        file_name="sf-2.csv",
        dry_run=False,
    )
    assert [row.outcome for row in other.rows] == [O.ALREADY_RECORDED]
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.amount_paid == shipment.cod_amount


def test_chinese_headers_are_read(billing, run_hooks, sf, finance):
    shipment = dispatched_cod(billing, run_hooks, "SF100")
    text = statement(
        ("SF100", shipment.cod_amount, "1.00", "2026年11月20日"),
        header="运单号,代收金额,手续费,回款日期",
    )
    report = remittances.cod_remittance_import(
        actor=finance, carrier=sf, text=text, file_name="sf.csv", dry_run=True
    )
    assert not report.errors
    assert [row.outcome for row in report.rows] == [O.MATCHED]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tracking_number,fee\nSF1,1\n", "Columns missing: collected_amount, remittance_date"),
        ("tracking_number,collected_amount,remittance_date\n", "The file has no rows"),
        ("\x00\x01", "Columns missing"),
    ],
)
def test_a_broken_file_is_refused_with_the_reason(sf, finance, text, message):
    report = remittances.cod_remittance_import(
        actor=finance, carrier=sf, text=text, file_name="x.csv", dry_run=False
    )
    assert message in " ".join(report.errors)
    assert not CodRemittance.objects.exists()


def test_amounts_that_are_not_money_are_invalid_rows(billing, run_hooks, sf, finance):
    dispatched_cod(billing, run_hooks, "SF100")
    for amount in ("-5", "0", "1.234", "1e40", "NaN"):
        report = remittances.cod_remittance_import(
            actor=finance,
            carrier=sf,
            text=statement(("SF100", amount, "0", "2026-11-20")),
            file_name="x.csv",
            dry_run=False,
        )
        assert [row.outcome for row in report.rows] == [O.INVALID], amount
    assert not Payment.objects.exists()


def test_only_finance_imports(sf, user_with_role):
    with pytest.raises(PermissionDenied):
        remittances.cod_remittance_import(
            actor=user_with_role("sales"), carrier=sf, text="x", file_name="x", dry_run=True
        )


def bank(*rows, header="date,amount,payer,reference"):
    return "\n".join([header, *(",".join(map(str, row)) for row in rows)]) + "\n"


def open_invoice(billing, run_hooks, *, seed, price="100.00"):
    """An on-account order dispatched: its invoice is open."""
    lamp = billing.product(price)
    billing.stock(lamp, billing.shanghai, 10)
    customer = billing.business(seed=seed, payment_terms="net_30", name=f"客户{seed}")
    with run_hooks():
        order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 1)))
        [shipment] = billing.picked(order)
        billing.dispatch(shipment, tracking=f"SF{seed}")
    return Invoice.objects.get(order=order)


def test_bank_lines_get_suggestions_and_become_payments_once_confirmed(billing, run_hooks, finance):
    by_number = open_invoice(billing, run_hooks, seed=1)
    by_order = open_invoice(billing, run_hooks, seed=2)
    by_payer = open_invoice(billing, run_hooks, seed=3)
    text = bank(
        ("2026-11-20", by_number.total, "Someone", f"pay {by_number.number.lower()}"),
        ("2026-11-20", "50.00", "Other", f"order {by_order.order.number}"),
        ("2026-11-21", by_payer.total, by_payer.customer.name, "货款"),
        ("2026-11-21", "-30.00", "Bank", "fee"),
        ("2026-11-22", "12.00", "Nobody", "unknown"),
    )
    check = bank_statements.bank_statement_import(
        actor=finance, text=text, file_name="bank.csv", dry_run=True
    )
    assert [(row.invoice, row.reason) for row in check.rows[:3]] == [
        (by_number, "invoice"),
        (by_order, "order"),
        (by_payer, "payer_amount"),
    ]
    assert "Not a receipt" in check.rows[3].problem
    assert check.rows[4].customer is None
    assert not BankStatementLine.objects.exists()

    report = bank_statements.bank_statement_import(
        actor=finance, text=text, file_name="bank.csv", dry_run=False
    )
    lines = list(report.statement.lines.order_by("line_no"))
    assert len(lines) == 4  # the debit is not kept
    bank_statements.bank_line_confirm(actor=finance, line=lines[0])
    by_number.refresh_from_db()
    assert by_number.amount_paid == by_number.total
    with pytest.raises(ServiceError, match="dealt with already"):
        bank_statements.bank_line_confirm(actor=finance, line=lines[0])
    with pytest.raises(ServiceError, match="Choose the customer"):
        bank_statements.bank_line_confirm(actor=finance, line=lines[3])
    bank_statements.bank_line_ignore(actor=finance, line=lines[3])
    assert BankStatementLine.objects.get(pk=lines[3].pk).status == BankLineStatus.IGNORED
    assert Payment.objects.count() == 1

    # An overlapping statement: the lines known already are not kept again.
    overlap = bank(
        ("2026-11-20", by_number.total, "Someone", f"pay {by_number.number.lower()}"),
        ("2026-11-23", "8.00", "New", "new"),
    )
    later = bank_statements.bank_statement_import(
        actor=finance, text=overlap, file_name="bank-2.csv", dry_run=False
    )
    assert [row.known for row in later.rows] == [True, False]
    assert later.statement.lines.count() == 1
