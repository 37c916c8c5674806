"""Stocktake sessions: snapshot, counts (page and CSV), variance review, posting through the
ledger (movements during the count kept), cancel, and the pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory import services, stocktake
from inventory.choices import AdjustmentReason, MovementKind, StockCountStatus
from inventory.models import StockCountLine, StockLevel, StockMovement
from inventory.selectors import moved_since_snapshot, variance_lines
from inventory.services import StockIssue, stock_issue, stock_ledger_check
from oms.errors import ServiceError
from tests.factories import CategoryFactory, ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked():
    """A warehouse with three products in bins A-01, A-02 and B-01, costs known."""
    warehouse = WarehouseFactory(code="CNT1")
    lamps = CategoryFactory(name="灯具")
    products = [
        ProductFactory(sku="ST-A", category=lamps),
        ProductFactory(sku="ST-B", category=lamps),
        ProductFactory(sku="ST-C"),
    ]
    for product, bin_location, quantity, cost in zip(
        products, ["A-01", "A-02", "B-01"], [10, 20, 5], ["2.50", "10.00", "100.00"], strict=True
    ):
        services.stock_receive(
            actor=None,
            product=product,
            warehouse=warehouse,
            quantity=quantity,
            bin_location=bin_location,
            unit_cost=Decimal(cost),
        )
    return warehouse, products


def line_of(count, sku) -> StockCountLine:
    return count.lines.get(product__sku=sku)


def on_hand(product, warehouse) -> int:
    return StockLevel.objects.get(product=product, warehouse=warehouse).on_hand


def test_open_snapshots_the_expected_quantities_and_costs(stocked, warehouse_user):
    warehouse, _products = stocked
    count = stocktake.stocktake_open(actor=warehouse_user, warehouse=warehouse)
    assert count.number.startswith("CNT-")
    assert len(count.number) == len("CNT-2026-000001")
    lines = {line.product.sku: line for line in count.lines.select_related("product")}
    assert {sku: line.expected for sku, line in lines.items()} == {
        "ST-A": 10,
        "ST-B": 20,
        "ST-C": 5,
    }
    assert lines["ST-B"].unit_cost == Decimal("10.0000")
    assert count.snapshot_movement_id == StockMovement.objects.order_by("-id").first().pk
    assert count.status == StockCountStatus.OPEN


def test_scope_by_bin_range_and_category(stocked):
    warehouse, products = stocked
    by_bins = stocktake.stocktake_open(
        actor=None, warehouse=warehouse, bin_from="a-02", bin_to="B-01"
    )
    assert sorted(by_bins.lines.values_list("product__sku", flat=True)) == ["ST-B", "ST-C"]
    stocktake.stocktake_cancel(actor=None, count=by_bins)
    by_category = stocktake.stocktake_open(
        actor=None, warehouse=warehouse, category=products[0].category
    )
    assert sorted(by_category.lines.values_list("product__sku", flat=True)) == ["ST-A", "ST-B"]


def test_open_refuses_a_second_open_count_and_an_empty_scope(stocked):
    warehouse, _products = stocked
    stocktake.stocktake_open(actor=None, warehouse=warehouse)
    with pytest.raises(ValidationError, match="already has an open stocktake"):
        stocktake.stocktake_open(actor=None, warehouse=warehouse)
    with pytest.raises(ValidationError, match="nothing to count"):
        stocktake.stocktake_open(actor=None, warehouse=WarehouseFactory(code="EMPTY"))
    with pytest.raises(ValidationError, match="comes before"):
        stocktake.stocktake_open(
            actor=None, warehouse=WarehouseFactory(code="W3"), bin_from="B", bin_to="A"
        )


def test_post_writes_one_ledger_adjustment_per_varied_line(stocked, warehouse_user, user_with_role):
    warehouse, (a, b, c) = stocked
    manager = user_with_role("manager")
    count = stocktake.stocktake_open(actor=warehouse_user, warehouse=warehouse)
    stocktake.stocktake_record_counts(
        actor=warehouse_user,
        count=count,
        counts={line_of(count, "ST-A").pk: 8, line_of(count, "ST-B").pk: 20},  # ST-C not counted
    )
    # Reviewed: A is 2 short at 2.50; B matches; C was not counted.
    [varied] = variance_lines(count)
    assert (varied.product.sku, varied.variance, varied.variance_value) == (
        "ST-A",
        -2,
        Decimal("-5.00"),
    )
    stocktake.stocktake_post(actor=manager, count=count)
    [movement] = StockMovement.objects.filter(reference=count.number)
    assert (movement.kind, movement.reason, movement.quantity, movement.actor) == (
        MovementKind.ADJUSTMENT,
        AdjustmentReason.COUNT,
        -2,
        manager,
    )
    assert (on_hand(a, warehouse), on_hand(b, warehouse), on_hand(c, warehouse)) == (8, 20, 5)
    count.refresh_from_db()
    assert count.status == StockCountStatus.POSTED
    assert count.posted_by == manager
    assert line_of(count, "ST-A").movement == movement
    assert stock_ledger_check() == []
    with pytest.raises(ServiceError, match="can no longer change"):
        stocktake.stocktake_post(actor=manager, count=count)
    with pytest.raises(ServiceError):
        stocktake.stocktake_record_counts(
            actor=manager, count=count, counts={line_of(count, "ST-A").pk: 1}
        )
    assert StockMovement.objects.filter(reference=count.number).count() == 1


def test_stock_moved_during_the_count_is_kept(stocked):
    """Counted as at the snapshot: a receipt and a dispatch after it are not undone."""
    warehouse, (a, b, _c) = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    # After the snapshot: 4 more of A arrive, 6 of B are reserved and dispatched.
    services.stock_receive(actor=None, product=a, warehouse=warehouse, quantity=4)
    level_b = StockLevel.objects.get(product=b, warehouse=warehouse)
    StockLevel.objects.filter(pk=level_b.pk).update(reserved=6)
    stock_issue(actor=None, issues=[StockIssue(level_b.pk, 6)], reference="SH-1")
    assert moved_since_snapshot(count) == {
        line_of(count, "ST-A").stock_level_id: 4,
        level_b.pk: -6,
    }
    # The shelf at the snapshot held 9 of A (1 lost) and 21 of B (1 found).
    stocktake.stocktake_record_counts(
        actor=None,
        count=count,
        counts={line_of(count, "ST-A").pk: 9, line_of(count, "ST-B").pk: 21},
    )
    stocktake.stocktake_post(actor=None, count=count)
    assert on_hand(a, warehouse) == 9 + 4
    assert on_hand(b, warehouse) == 21 - 6
    assert sorted(
        StockMovement.objects.filter(reference=count.number).values_list("quantity", flat=True)
    ) == [-1, 1]
    assert stock_ledger_check() == []


def test_post_refuses_what_would_go_below_reserved_and_writes_nothing(stocked):
    warehouse, (a, _b, _c) = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    StockLevel.objects.filter(product=a, warehouse=warehouse).update(reserved=8)
    stocktake.stocktake_record_counts(
        actor=None,
        count=count,
        counts={line_of(count, "ST-A").pk: 3, line_of(count, "ST-C").pk: 6},
    )
    with pytest.raises(ValidationError, match="ST-A"):
        stocktake.stocktake_post(actor=None, count=count)
    assert not StockMovement.objects.filter(reference=count.number).exists()
    count.refresh_from_db()
    assert count.status == StockCountStatus.OPEN


def test_post_needs_counts_and_cancel_writes_nothing(stocked):
    warehouse, _products = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    with pytest.raises(ServiceError, match="Nothing has been counted"):
        stocktake.stocktake_post(actor=None, count=count)
    stocktake.stocktake_cancel(actor=None, count=count)
    count.refresh_from_db()
    assert count.status == StockCountStatus.CANCELLED
    with pytest.raises(ServiceError):
        stocktake.stocktake_post(actor=None, count=count)
    # The warehouse may be counted again.
    assert stocktake.stocktake_open(actor=None, warehouse=warehouse).is_open


def test_counts_refuse_negative_numbers_and_foreign_lines(stocked):
    warehouse, _products = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    with pytest.raises(ValidationError, match="cannot be negative"):
        stocktake.stocktake_record_counts(
            actor=None, count=count, counts={line_of(count, "ST-A").pk: -1}
        )
    with pytest.raises(ValidationError, match="not in stocktake"):
        stocktake.stocktake_record_counts(actor=None, count=count, counts={10**9: 1})
    assert not count.lines.filter(counted__isnull=False).exists()


def csv_import(count, text):
    return stocktake.stocktake_import_csv(actor=None, count=count, text=text)


def test_csv_import_with_chinese_headers_and_blank_counts(stocked):
    warehouse, _products = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    report = csv_import(count, "\ufeff货号,实盘数量\nst-a,7\nST-B,\nST-C,1,000\n")
    # "1,000" in an unquoted cell is two cells: the count is "1".
    assert report.ok
    assert report.changed == 2
    assert line_of(count, "ST-A").counted == 7
    assert line_of(count, "ST-B").counted is None
    assert line_of(count, "ST-C").counted == 1


def test_csv_import_reports_every_bad_row_and_writes_nothing(stocked):
    warehouse, _products = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    report = csv_import(
        count, "sku,counted\nST-A,5\nNOPE-1,3\nST-B,-2\nST-C,=1+1\nST-A,6\nST-B,2.5\n"
    )
    assert not report.ok
    assert [line for line, _reason in report.errors] == [3, 4, 5, 6, 7]
    reasons = dict(report.errors)
    assert "NOPE-1 is not in this stocktake" in reasons[3]
    assert "cannot be negative" in reasons[4]
    assert "whole number" in reasons[5]
    assert "also on line 2" in reasons[6]
    assert not count.lines.filter(counted__isnull=False).exists()


def test_csv_import_without_the_columns(stocked):
    warehouse, _products = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    report = csv_import(count, "sku,quantity_on_shelf\nST-A,5\n")
    assert report.file_errors == ["Columns missing: counted."]


def test_template_csv_lists_the_lines_in_bin_order(stocked):
    warehouse, _products = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    text = stocktake.stocktake_template_csv(count)
    rows = text.lstrip("\ufeff").splitlines()
    assert rows[0] == "sku,counted,bin,product"
    assert [row.split(",")[0] for row in rows[1:]] == ["ST-A", "ST-B", "ST-C"]
    # The template, filled in, is accepted as it is.
    filled = text.replace("ST-A,,", "ST-A,10,")
    assert csv_import(count, filled).changed == 1


# Pages


def test_pages_from_open_to_post(stocked, client_for):
    warehouse, (a, _b, _c) = stocked
    clerk = client_for("warehouse")
    response = clerk.post(
        reverse("inventory:stocktake_create"), {"warehouse": warehouse.pk, "bin_to": "A-99"}
    )
    assert response.status_code == 302
    count = warehouse.counts.get()
    detail = reverse("inventory:stocktake_detail", args=[count.pk])
    assert response["Location"] == detail
    count_url = reverse("inventory:stocktake_count", args=[count.pk])
    page = clerk.get(count_url)
    assert page.status_code == 200
    assert "ST-A" in page.content.decode()
    lines = list(count.lines.order_by("bin_location"))
    form = {
        "form-TOTAL_FORMS": 2,
        "form-INITIAL_FORMS": 2,
        "form-0-line": lines[0].pk,
        "form-0-counted": "9",
        "form-1-line": lines[1].pk,
        "form-1-counted": "-1",
    }
    response = clerk.post(count_url, form)
    assert response.status_code == 422
    assert "A count cannot be negative." in response.content.decode()
    assert not count.lines.filter(counted__isnull=False).exists()
    response = clerk.post(count_url, {**form, "form-1-counted": ""})
    assert response.status_code == 302
    assert line_of(count, "ST-A").counted == 9
    review = clerk.get(detail).content.decode()
    assert "ST-A" in review
    assert "-2.50" in review.replace("¥", "")
    # The warehouse may not post its own count; a manager may.
    post_url = reverse("inventory:stocktake_post", args=[count.pk])
    assert clerk.post(post_url).status_code == 403
    manager = client_for("manager")
    assert manager.post(post_url).status_code == 302
    assert on_hand(a, warehouse) == 9
    again = manager.post(post_url, follow=True)
    assert "can no longer change" in again.content.decode()
    assert StockMovement.objects.filter(reference=count.number).count() == 1


def test_upload_page_reports_wrong_encoding_and_bad_rows(stocked, client_for):
    warehouse, _products = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse)
    clerk = client_for("warehouse")
    url = reverse("inventory:stocktake_upload", args=[count.pk])
    gbk = SimpleUploadedFile("counts.csv", "货号,实盘数量\nST-A,5\n".encode("gbk"))
    response = clerk.post(url, {"file": gbk})
    assert response.status_code == 422
    assert "The file is not UTF-8 text." in response.content.decode()
    bad = SimpleUploadedFile("counts.csv", b"sku,counted\nST-A,5\nXX-9,1\n")
    response = clerk.post(url, {"file": bad})
    html = response.content.decode()
    assert response.status_code == 422
    assert "XX-9 is not in this stocktake" in html
    assert "Nothing was saved" in html
    good = SimpleUploadedFile("counts.csv", "\ufeffsku,counted\nST-A,5\n".encode())
    assert clerk.post(url, {"file": good}).status_code == 302
    assert line_of(count, "ST-A").counted == 5


def test_count_sheet_prints_the_session_lines(stocked, client_for):
    warehouse, _products = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse, bin_to="A-99")
    stocktake.stocktake_record_counts(
        actor=None, count=count, counts={line_of(count, "ST-A").pk: 12}
    )
    html = (
        client_for("warehouse")
        .get(reverse("inventory:stocktake_sheet", args=[count.pk]))
        .content.decode()
    )
    assert count.number in html
    assert "ST-A" in html
    assert "ST-C" not in html


def test_list_page_and_csv_export(stocked, client_for):
    warehouse, _products = stocked
    count = stocktake.stocktake_open(actor=None, warehouse=warehouse, bin_to="A-99")
    finance = client_for("finance")
    html = finance.get(reverse("inventory:stocktake_list")).content.decode()
    assert count.number in html
    assert "Bins … to A-99" in html
    export = finance.get(reverse("inventory:stocktake_list") + "?export=csv")
    assert export.status_code == 200
    assert count.number in b"".join(export.streaming_content).decode("utf-8-sig")
