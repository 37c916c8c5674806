"""Reading import files: encodings, headers, formulas, size, XLSX, dry runs, the error CSV,
templates and the management commands."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from customers.models import Address, Customer
from oms import imports
from oms.models import AuditLog, ImportJob
from tests.factories import UserFactory
from tests.intake.helpers import results, run_job, xlsx_bytes

HEADER = "code,name,phone,email,region,city,street\n"
ROW = "C-1,上海星光灯饰,13800138000,a@example.com,上海,上海市,张江路 88 号\n"


@pytest.fixture
def manager(db):
    return UserFactory(username="importer", role="manager")


def counts():
    return (Customer.objects.count(), Address.objects.count(), AuditLog.objects.count())


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")],
)
def test_utf8_with_or_without_bom_and_gbk_are_read(manager, encoding, expected):
    job = run_job(manager, "customers", (HEADER + ROW).encode(encoding))
    assert job.encoding == expected
    assert job.created == 1
    assert Customer.objects.get().name == "上海星光灯饰"


def test_a_file_in_another_encoding_is_refused_with_a_clear_message(manager):
    content = (HEADER + ROW).encode("utf-16")
    with pytest.raises(imports.ImportFileError, match="neither UTF-8 nor GBK"):
        run_job(manager, "customers", content)
    assert ImportJob.objects.count() == 0
    assert Customer.objects.count() == 0


def test_chinese_headers_are_read(manager):
    text = "客户编码,客户名称,电话,邮箱,省份,城市,详细地址\n" + ROW
    job = run_job(manager, "customers", text.encode())
    assert job.created == 1


def test_missing_columns_refuse_the_file_naming_them(manager):
    with pytest.raises(imports.ImportFileError, match=r"phone \(电话\).*street \(详细地址\)"):
        run_job(manager, "customers", b"code,name,region,city\nC-1,x,SH,y\n")
    assert counts()[0] == 0


def test_a_dry_run_writes_nothing_and_reports_what_an_import_would_do(manager):
    text = HEADER + ROW + "C-2,x,1,,SH,上海,路\n"
    before = counts()
    job = run_job(manager, "customers", text.encode(), dry_run=True)
    assert counts() == before
    assert (job.created, job.errors) == (1, 1)
    assert [r[:3] for r in results(job)] == [(2, "create", ""), (3, "error", "phone")]
    # Importing what was checked writes the good row.
    commit = imports.job_commit(user=manager, checked=job)
    assert imports.job_commit(user=manager, checked=job) == commit  # a second click
    assert imports.job_run(job_id=commit.pk) == "done"
    assert imports.job_run(job_id=commit.pk) == "skipped"
    assert list(Customer.objects.values_list("code", flat=True)) == ["C-1"]


def test_formulas_are_text_never_evaluated_and_defused_in_the_error_csv(manager, tmp_path):
    content = xlsx_bytes(
        [
            ["code", "name", "phone", "email", "region", "city", "street"],
            ["C-1", "=1+1", "13800138000", None, "SH", "上海", "路 1 号"],
            ["C-2", "ok", '=HYPERLINK("http://x")', None, "SH", "上海", "路 2 号"],
            ["C-3", "@SUM(A1)", 13800138000, None, "广东省", "广州", "-1+2"],
        ],
        tmp_path,
    )
    job = run_job(manager, "customers", content, name="customers.xlsx")
    assert job.encoding == "xlsx"
    assert Customer.objects.get(code="C-1").name == "=1+1"  # the text, not 2
    assert Customer.objects.get(code="C-3").region == "GD"
    assert [r[:3] for r in results(job)][1] == (3, "error", "phone")
    from oms.import_pages import ImportErrorsView  # noqa: F401 (the page serves this CSV)

    text = "".join(imports.errors_csv(job, imports.importer_for("customers")))
    line = text.splitlines()[1]
    assert line.startswith('3,C-2,ok,"\'=HYPERLINK(""http://x"")"')


def test_an_oversized_file_is_refused_before_anything_is_read(manager, monkeypatch):
    monkeypatch.setattr(settings, "OMS_IMPORT_MAX_BYTES", 1024)
    content = (HEADER + ROW * 40).encode()
    with pytest.raises(imports.ImportFileError, match="larger than"):
        imports.job_start(
            user=manager,
            kind="customers",
            upload=SimpleUploadedFile("big.csv", content),
            dry_run=True,
            language="en",
        )
    assert ImportJob.objects.count() == 0


def test_a_50_mb_upload_is_refused_on_the_page(manager, client):
    client.force_login(manager)
    big = SimpleUploadedFile("big.csv", (HEADER + ROW * 700_000).encode())
    assert big.size > 50 * 1024 * 1024
    response = client.post("/imports/new/", {"kind": "customers", "file": big, "mode": "check"})
    assert response.status_code == 422
    assert "larger than 20 MB" in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert Customer.objects.count() == 0


def test_a_file_that_changes_encoding_half_way_is_refused_and_nothing_is_written(manager):
    content = (HEADER + ROW * 1200).encode() + "C-9,坏的,x,,SH,a,b\n".encode("gbk")
    with pytest.raises(imports.ImportFileError, match="from line 1202 on"):
        run_job(manager, "customers", content)
    assert Customer.objects.count() == 0


def test_templates_have_english_or_chinese_headers(manager, client):
    client.force_login(manager)
    english = client.get("/imports/template/?kind=customers")
    assert english.content.decode("utf-8-sig").startswith("code,name,phone")
    chinese = client.get("/imports/template/?kind=customers&lang=zh")
    assert chinese.content.decode("utf-8-sig").startswith("客户编码,客户名称,电话")
    # A template read back is a valid file (its example row imports), CSV or XLSX.
    job = run_job(manager, "customers", chinese.content)
    assert job.created == 1
    workbook = client.get("/imports/template/?kind=customers&lang=zh&format=xlsx")
    assert workbook["Content-Disposition"].endswith('customers-template-zh.xlsx"')
    job = run_job(manager, "customers", workbook.content, name="t.xlsx")
    assert (job.encoding, job.skipped) == ("xlsx", 1)  # the same example row: unchanged


def test_management_command_with_and_without_dry_run(manager, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(HEADER + ROW + "C-2,x,1,,SH,上海,路\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_customers", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "row 3 [phone]" in out.getvalue()
    assert "create: 1" in out.getvalue()
    assert Customer.objects.count() == 0
    call_command("import_customers", str(path), "--user", "importer", stdout=out)
    assert Customer.objects.get().code == "C-1"
    bad = tmp_path / "bad.csv"
    bad.write_text("code\nC-1\n")
    with pytest.raises(CommandError, match="Columns missing"):
        call_command("import_customers", str(bad), stdout=out)


def test_cells_of_a_workbook_read_as_their_text():
    import datetime

    assert imports.cell_text(12.5) == "12.5"
    assert imports.cell_text(3.0) == "3"
    assert imports.cell_text(0.1 + 0.2) == "0.30000000000000004"  # refused as 3 decimals
    assert imports.cell_text(datetime.date(2026, 11, 30)) == "2026-11-30"
    assert imports.cell_text(True) == "true"
    assert Decimal(imports.cell_text(19.99)) == Decimal("19.99")


class RawCustomers(imports.Importer):
    """Writes past the model's checks, so the database is the one to refuse."""

    code = "raw-customers"
    columns = (imports.ImportColumn("code", "编码", required=True),)

    def import_item(self, rows, context):
        [row] = rows
        Customer.objects.create(code=row.get("code"), name="x", phone="1", region="SH")
        return [imports.RowResult(row.number, "create")]


def test_a_row_the_database_refuses_is_reported_and_the_others_imported(db, tmp_path):
    path = tmp_path / "raw.csv"
    path.write_text("code\nR-1\nR-1\nR-2\n", encoding="utf-8")
    seen = []
    report = imports.run_import(
        importer=RawCustomers(),
        path=path,
        file_name="raw.csv",
        actor=None,
        dry_run=False,
        on_batch=lambda report, results, values: seen.extend(results),
    )
    assert (report.counts["create"], report.counts["error"]) == (2, 1)
    refused = next(r for r in seen if r.action == "error")
    assert refused.row == 3
    assert refused.message.startswith("The database refused this row: duplicate key")
    assert sorted(Customer.objects.values_list("code", flat=True)) == ["R-1", "R-2"]
