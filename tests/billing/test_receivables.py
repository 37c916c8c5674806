"""The receivables page: aging buckets by installment due date (boundary days), payments and
credit notes lowering what is open, filters, totals over the filtered set, exports with plain
values, a constant number of queries, rights; the customer panel and the dashboard tiles."""

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import services
from billing.choices import PaymentMethod
from billing.installments import installments_create, installments_pay
from billing.models import Invoice, Payment, Reminder
from billing.receivable_panels import dso, overdue_share, receivable_figures
from billing.receivables import aging, bucket_of
from orders import services as order_services
from tests.billing.conftest import taxpayer_id
from tests.helpers import page_queries

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = timezone.localdate


class Ledger:
    """Issued invoices written straight to the tables (what the services keep), so a test can
    put installments on any due date."""

    def __init__(self, billing):
        self.billing = billing
        self.product = billing.product("10.00")
        self.count = 0

    def customer(self, **kwargs):
        return self.billing.customer(**kwargs)

    def invoice(self, customer, *dues, issued=None, terms="net_30"):
        """dues: (days overdue, amount) pairs; the invoice's total is their sum."""
        self.count += 1
        order = self.billing.order(customer, (self.product, 1))
        today = TODAY()
        schedule = sorted((today - timedelta(days=days), D(amount)) for days, amount in dues)
        total = sum((amount for _due, amount in schedule), D(0))
        invoice = Invoice.objects.create(
            order=order,
            customer=customer,
            status="issued",
            number=f"INV-T-{self.count:06d}",
            payment_terms=terms,
            issue_date=issued or schedule[0][0] - timedelta(days=30),
            due_date=schedule[-1][0],
            subtotal=total,
            total=total,
        )
        installments_create(invoice, schedule)
        return invoice

    def pay(self, invoice, amount, *, on=None, method=PaymentMethod.BANK_TRANSFER):
        amount = D(amount)
        self.count += 1
        payment = Payment.objects.create(
            number=f"PAY-T-{self.count}",
            customer=invoice.customer,
            method=method,
            amount=amount,
            received_on=on or TODAY(),
            idempotency_key=f"key-{self.count}",
        )
        payment.allocations.create(invoice=invoice, amount=amount)
        Invoice.objects.filter(pk=invoice.pk).update(amount_paid=invoice.amount_paid + amount)
        invoice.refresh_from_db()
        installments_pay(invoice, amount)
        return payment


@pytest.fixture
def ledger(billing):
    return Ledger(billing)


def row_of(customer, user):
    return aging(user).filter(customer=customer.pk).get()


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "not_due"),
        (0, "not_due"),
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
    ],
)
def test_bucket_boundaries(ledger, user_with_role, days, bucket):
    user = user_with_role("finance")
    customer = ledger.customer()
    ledger.invoice(customer, (days, "100.00"))
    row = row_of(customer, user)
    assert row[bucket] == D("100.00")
    assert row["total"] == D("100.00")
    assert sum(
        row[name] for name in ("not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
    ) == D("100.00")
    assert row["overdue"] == (D("100.00") if days > 0 else D(0))
    assert bucket_of(TODAY() - timedelta(days=days), TODAY()) == bucket


def test_installments_of_one_invoice_in_different_buckets(ledger, user_with_role):
    user = user_with_role("finance")
    customer = ledger.customer()
    ledger.invoice(customer, (95, "30.00"), (45, "30.00"), (-10, "40.00"))
    row = row_of(customer, user)
    assert (row["days_over_90"], row["days_31_60"], row["not_due"]) == (
        D("30.00"),
        D("30.00"),
        D("40.00"),
    )
    assert row["days_1_30"] == row["days_61_90"] == 0
    assert row["total"] == D("100.00")


def test_payments_fill_the_earliest_installment_first(ledger, user_with_role):
    user = user_with_role("finance")
    customer = ledger.customer()
    invoice = ledger.invoice(customer, (95, "30.00"), (45, "30.00"), (-10, "40.00"))
    ledger.pay(invoice, "45.00")
    row = row_of(customer, user)
    assert row["days_over_90"] == 0
    assert row["days_31_60"] == D("15.00")
    assert row["total"] == D("55.00")
    ledger.pay(invoice, "55.00")
    assert not aging(user).filter(customer=customer.pk).exists()


def test_credit_note_lowers_the_latest_installment(billing, user_with_role, run_hooks):
    user = user_with_role("finance")
    lamp = billing.product("100.00")
    billing.stock(lamp, billing.shanghai, 10)
    customer = billing.customer(
        kind="business",
        payment_terms="prepaid",
        credit_limit=D(100000),
        fapiao_title="杭州明辉灯饰有限公司",
        taxpayer_id=taxpayer_id(5),
    )
    order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 3)))
    [invoice] = services.order_bill(order_id=order.pk)
    before = row_of(customer, user)["total"]
    assert before == invoice.total
    services.credit_note_create(actor=None, invoice=invoice, quantities={1: 1}, note="破损")
    after = row_of(customer, user)["total"]
    assert after == before - D("100.00")


def test_page_filters_totals_and_sorting(ledger, client_for, user_with_role):
    seller = user_with_role("sales", username="seller")
    north = ledger.customer(region="BJ", group="wholesale", salesperson=seller, name="北方批发")
    south = ledger.customer(region="GD", group="retail", name="南方零售")
    ledger.invoice(north, (100, "500.00"))
    ledger.invoice(south, (-3, "70.00"), (10, "30.00"))
    client = client_for("finance")
    page = client.get("/receivables/").content.decode()
    assert "北方批发" in page
    assert "南方零售" in page
    assert "600.00" in page  # the totals row: 500 + 100
    assert page.index("北方批发") < page.index("南方零售")  # largest total first
    by_not_due = client.get("/receivables/?sort=-not_due").content.decode()
    assert by_not_due.index("南方零售") < by_not_due.index("北方批发")
    assert "南方零售" not in client.get("/receivables/?region=BJ").content.decode()
    assert "北方批发" not in client.get("/receivables/?group=retail").content.decode()
    only_90 = client.get("/receivables/?bucket=days_over_90").content.decode()
    assert "北方批发" in only_90
    assert "南方零售" not in only_90
    seller_rows = client.get(f"/receivables/?salesperson={seller.pk}").content.decode()
    assert "北方批发" in seller_rows
    assert "南方零售" not in seller_rows
    overdue = client.get("/receivables/?overdue=true").content.decode()
    assert "南方零售" in overdue  # 30.00 of it is 10 days overdue
    # The totals row covers the whole filtered set, not only the page.
    one_per_page = client.get("/receivables/?per_page=1").content.decode()
    assert "600.00" in one_per_page
    assert "南方零售" not in one_per_page
    assert client.get("/receivables/?bucket=nonsense&overdue=maybe").status_code == 200


def test_exports_write_plain_values(ledger, client_for):
    customer = ledger.customer(name="=HYPERLINK(1)", credit_limit=D("1000.00"))
    invoice = ledger.invoice(customer, (40, "250.50"))
    ledger.pay(invoice, "50.50", on=TODAY() - timedelta(days=2))
    Reminder.objects.create(
        invoice=invoice,
        customer=customer,
        level=2,
        sent_at=timezone.now(),
        days_overdue=40,
        open_amount=D("200.00"),
    )
    client = client_for("finance")
    response = client.get("/receivables/?export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    [row] = rows
    assert row["Customer"] == "'=HYPERLINK(1)"
    assert row["31-60 days"] == "200.00"
    assert row["Total open"] == "200.00"
    assert row["Credit limit"] == "1000.00"
    assert row["Last payment"] == (TODAY() - timedelta(days=2)).isoformat()
    assert row["Reminder"] == "2 · Firm reminder"
    assert "2 · Firm reminder" in client.get("/receivables/").content.decode()
    xlsx = client.get("/receivables/?export=xlsx")
    assert xlsx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>200.00</v>" in sheet
    assert "&#x27;" not in sheet
    assert "'=HYPERLINK(1)" in sheet


def test_query_count_is_constant(ledger, client_for):
    def customers(count):
        for _ in range(count):
            customer = ledger.customer()
            invoice = ledger.invoice(customer, (5, "10.00"), (70, "20.00"))
            ledger.pay(invoice, "5.00")
            Reminder.objects.create(
                invoice=invoice,
                customer=customer,
                level=1,
                sent_at=timezone.now(),
                days_overdue=70,
                open_amount=D("25.00"),
            )

    client = client_for("finance")
    customers(3)
    few = len(page_queries(client, "/receivables/"))
    customers(27)
    many = len(page_queries(client, "/receivables/"))
    assert few == many
    assert many <= 12


def test_rights(ledger, client_for, user_with_role, client, settings):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    seller = user_with_role("sales", username="own-seller")
    mine = ledger.customer(salesperson=seller, name="我的客户")
    theirs = ledger.customer(name="别人的客户")
    ledger.invoice(mine, (10, "10.00"))
    ledger.invoice(theirs, (10, "10.00"))
    assert client_for("warehouse").get("/receivables/").status_code == 403
    client.force_login(seller)
    page = client.get("/receivables/").content.decode()
    assert "我的客户" in page
    assert "别人的客户" not in page
    assert client.get(f"/receivables/{theirs.pk}/").status_code == 404
    assert client.get(f"/receivables/{theirs.pk}/statement/").status_code == 404
    assert client.get(f"/receivables/{mine.pk}/").status_code == 200


def test_drill_down_and_customer_panel(ledger, client_for):
    customer = ledger.customer(name="明细客户")
    invoice = ledger.invoice(customer, (33, "40.00"), (-7, "60.00"))
    client = client_for("finance")
    page = client.get(f"/receivables/{customer.pk}/").content.decode()
    assert invoice.number in page
    assert "33" in page
    assert "60.00" in page
    detail = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="customer-receivables"' in detail
    assert invoice.number in detail


def test_open_means_outstanding_in_chinese(ledger, client_for):
    # "Open" of an amount is 未结 (outstanding), never 打开 (open a file), on every billing page.
    customer = ledger.customer(name="未结客户")
    invoice = ledger.invoice(customer, (10, "40.00"))
    client = client_for("finance")
    client.cookies["django_language"] = "zh-hans"
    for url in (
        f"/receivables/{customer.pk}/",
        f"/invoices/{invoice.pk}/",
        f"/customers/{customer.pk}/",
    ):
        page = client.get(url, headers={"accept-language": "zh-hans"}).content.decode()
        assert "未结" in page, url
        assert "打开" not in page, url


def test_kpis_on_known_data(ledger, user_with_role, client_for):
    user = user_with_role("finance")
    today = TODAY()
    customer = ledger.customer()
    # Credit sales of the last 90 days: 1,000 (on account), 300 of it still open, 100 overdue.
    first = ledger.invoice(
        customer, (10, "100.00"), (-20, "200.00"), issued=today - timedelta(days=5)
    )
    second = ledger.invoice(customer, (-20, "700.00"), issued=today - timedelta(days=3))
    ledger.pay(second, "700.00", on=today)
    # An old invoice, issued 200 days ago, still open: receivables but not recent sales.
    ledger.invoice(customer, (120, "300.00"), issued=today - timedelta(days=200))
    figures = receivable_figures(user)
    assert figures["total"] == D("600.00")
    assert figures["overdue"] == D("400.00")
    assert figures["credit_sales_90"] == D("1000.00")
    assert figures["collected_month"] == D("700.00")
    assert overdue_share(figures) == D("66.7")
    assert dso(figures) == D("54.0")  # 600 / 1000 × 90
    assert first.pk
    dashboard = client_for("finance").get("/").content.decode()
    assert "DSO" in dashboard
    assert "66.7 %" in dashboard


def pdf_text(content: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "statement.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_statement_pdf_in_the_customers_language(ledger, client_for, tmp_path):
    from billing.statements import statement_html, statement_pdf

    today = TODAY()
    customer = ledger.customer(name="对账客户", language="en")
    old = ledger.invoice(customer, (100, "300.00"), issued=today - timedelta(days=130))
    new = ledger.invoice(customer, (-20, "200.00"), issued=today - timedelta(days=10))
    ledger.pay(old, "120.00", on=today - timedelta(days=5))
    start = today - timedelta(days=30)
    text = pdf_text(statement_pdf(customer, start, today), tmp_path)
    assert "Statement of account" in text
    assert "Opening balance" in text
    assert new.number in text
    assert old.number not in text
    assert "300.00" in text  # opening balance
    assert "380.00" in text  # closing: 300 + 200 - 120
    assert "> 90 days" in text
    assert "180.00" in text
    customer.language = "zh-hans"
    customer.save()
    zh = pdf_text(statement_pdf(customer, start, today), tmp_path)
    assert "客户对账单" in zh
    assert "期初余额" in zh
    assert "期末余额" in zh
    html = statement_html(customer, start, today)
    assert "期初余额" in html
    page = client_for("finance").get(f"/receivables/{customer.pk}/statement/?start=bad")
    assert page.status_code == 200
    pdf = client_for("finance").get(f"/receivables/{customer.pk}/statement/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_statement_batch_is_a_file_job(ledger, client_for, tmp_path, settings):
    from oms.filejobs import FileJobProgress
    from oms.models import FileJob

    settings.OMS_FILE_JOB_DIR = str(tmp_path)
    first, second = ledger.customer(name="甲"), ledger.customer(name="乙")
    ledger.invoice(first, (10, "10.00"))
    ledger.invoice(second, (40, "20.00"))
    client = client_for("finance")
    today = TODAY()
    response = client.post(
        "/receivables/statements/",
        {
            "filters": "overdue=true",
            "start": (today - timedelta(days=60)).isoformat(),
            "end": today.isoformat(),
        },
    )
    assert response.status_code == 302
    job = FileJob.objects.get()
    assert sorted(job.parameters["customers"]) == sorted([first.pk, second.pk])
    from billing.statements import batch_write

    part = tmp_path / "part.zip"
    assert batch_write(job, part, FileJobProgress(job.pk)) == 2
    with zipfile.ZipFile(part) as archive:
        assert len(archive.namelist()) == 2
    bad = client.post("/receivables/statements/", {"start": "2026-02-30", "end": "x"})
    assert bad.status_code == 302
    assert FileJob.objects.count() == 1
