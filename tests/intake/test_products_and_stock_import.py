"""Products with their price and tax class, and stock levels through the ledger."""

from decimal import Decimal

import pytest

from inventory.models import Product, StockLevel, StockMovement, TaxClass, TaxRate
from orders.models import PriceList, PriceListItem
from tests.factories import ProductFactory, UserFactory, WarehouseFactory
from tests.intake.helpers import results, run_job

HEADER = "sku,name,unit_price,tax_rate,weight_kg\n"


@pytest.fixture
def admin(db):
    return UserFactory(username="boss", role="admin")


@pytest.fixture
def retail(db):
    return PriceList.objects.create(name="Retail", customer_group="retail")


def price(sku, price_list):
    return PriceListItem.objects.get(
        price_list=price_list, product__sku=sku, min_quantity=1
    ).unit_price


def test_products_get_their_price_and_the_tax_class_of_their_rate(admin, retail):
    text = HEADER + "led-1,球泡灯,19.90,13,0.085\nLED-2,灯带,5,9,\nLED-3,Panel,120.5,5,2\n"
    before = TaxClass.objects.count()
    check = run_job(admin, "products", text.encode(), dry_run=True)
    assert (check.created, check.errors) == (3, 0)
    assert "New tax class vat5 for 5 %." in [r[3] for r in results(check)]
    assert Product.objects.count() == 0
    assert TaxClass.objects.count() == before

    job = run_job(admin, "products", text.encode())
    assert job.created == 3
    assert Product.objects.get(sku="LED-1").tax_class_id == "standard"
    assert Product.objects.get(sku="LED-2").tax_class_id == "reduced"
    assert Product.objects.get(sku="LED-3").tax_class_id == "vat5"
    assert TaxRate.objects.get(tax_class_id__isnull=False, tax_class__code="vat5").rate == Decimal(
        "0.05"
    )
    assert price("LED-1", retail) == Decimal("19.90")
    assert Product.objects.get(sku="LED-1").weight_kg == Decimal("0.085")

    again = run_job(admin, "products", text.encode())
    assert (again.created, again.updated, again.skipped) == (0, 0, 3)
    assert TaxClass.objects.filter(code__startswith="vat").count() == 1

    cheaper = run_job(admin, "products", (HEADER + "LED-1,球泡灯,17.5,13,0.085\n").encode())
    assert cheaper.updated == 1
    assert price("LED-1", retail) == Decimal("17.50")


def test_bad_product_rows(admin, retail):
    text = (
        HEADER
        + "P-1,ok,1.5,13,1\n"
        + "P-2,ten decimals,1.1234567891,13,1\n"
        + "P-3,negative,-3,13,1\n"
        + "P-4,rate,1,130,1\n"
        + "P-5,formula,=A1*2,13,1\n"
        + "P-6,,1,13,1\n"
    )
    job = run_job(admin, "products", text.encode())
    rows = results(job)
    assert rows[0][:2] == (2, "create")
    assert rows[1][:3] == (3, "error", "unit_price")
    assert "At most 2 decimals" in rows[1][3]
    assert rows[2][:3] == (4, "error", "unit_price")
    assert rows[3][:3] == (5, "error", "tax_rate")
    assert rows[4][:3] == (6, "error", "unit_price")
    assert rows[5][:3] == (7, "error", "name")
    assert list(Product.objects.values_list("sku", flat=True)) == ["P-1"]


def test_a_manager_cannot_make_a_tax_class(db, retail):
    manager = UserFactory(username="mgr", role="manager")
    job = run_job(manager, "products", (HEADER + "P-1,x,1,5,1\n").encode())
    [row] = results(job)
    assert row[:3] == (2, "error", "tax_rate")
    assert "finance adds tax classes" in row[3]
    assert not TaxClass.objects.filter(code="vat5").exists()


def test_stock_counts_go_through_the_ledger(db):
    keeper = UserFactory(username="keeper", role="warehouse")
    product = ProductFactory(sku="LED-1")
    warehouse = WarehouseFactory(code="SH1")
    text = "sku,warehouse,quantity\nLED-1,SH1,40\nNOPE,SH1,1\nLED-1,XX,1\nLED-1,SH1,-4\n"
    check = run_job(keeper, "stock", text.encode(), dry_run=True)
    assert StockMovement.objects.count() == 0
    job = run_job(keeper, "stock", text.encode())
    assert [r[:3] for r in results(job)] == [
        (2, "create", ""),
        (3, "error", "sku"),
        (4, "error", "warehouse"),
        (5, "skip", "sku"),
    ]
    assert [r[:3] for r in results(check)] == [r[:3] for r in results(job)]
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert level.on_hand == 40
    movement = StockMovement.objects.get()
    assert (movement.quantity, movement.reference) == (40, "IMPORT")

    counted = run_job(keeper, "stock", "仓库,SKU,盘点数量\nSH1,LED-1,37\n".encode())
    assert counted.updated == 1
    level.refresh_from_db()
    assert level.on_hand == 37
    assert sum(StockMovement.objects.values_list("quantity", flat=True)) == 37
    same = run_job(keeper, "stock", b"sku,warehouse,quantity\nLED-1,SH1,37\n")
    assert same.skipped == 1
    negative = run_job(keeper, "stock", b"sku,warehouse,quantity\nLED-1,SH1,-1\n")
    assert [r[:3] for r in results(negative)] == [(2, "error", "quantity")]
