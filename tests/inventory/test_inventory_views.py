import subprocess
from decimal import Decimal

import pytest

from inventory.models import Product, StockLevel, StockMovement, Warehouse
from inventory.services import stock_receive
from tests.factories import CategoryFactory, ProductFactory, WarehouseFactory
from tests.helpers import page_queries

pytestmark = pytest.mark.django_db

PRODUCT = {
    "sku": "cl-9001",
    "name": "星空吸顶灯 48W 金色",
    "name_en": "Starry ceiling light 48W gold",
    "unit": "pcs",
    "weight_kg": "3.2",
    "volume_m3": "0.03",
    "standard_cost": "128.50",
    "tax_class": "standard",
    "is_active": "on",
}
WAREHOUSE = {
    "code": "hz1",
    "name": "杭州萧山仓",
    "region": "ZJ",
    "city": "杭州",
    "address": "萧山区 8 号",
    "latitude": "30.18",
    "longitude": "120.26",
    "is_active": "on",
}


def test_product_create_detail_edit(client_for):
    client = client_for("manager")
    category = CategoryFactory()
    response = client.post("/products/new/", {**PRODUCT, "category": category.pk})
    product = Product.objects.get(sku="CL-9001")
    assert response.status_code == 302
    assert response["Location"] == f"/products/{product.pk}/"
    assert "星空吸顶灯 48W 金色" in client.get(response["Location"]).content.decode()
    response = client.post(
        f"/products/{product.pk}/edit/",
        {**PRODUCT, "standard_cost": "99.00", "made_to_order": "on"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.made_to_order
    assert str(product.standard_cost) == "99.00"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weight_kg", "-1", "greater than or equal to 0"),
        ("standard_cost", "abc", "Enter a number"),
        ("sku", "x" * 41, "at most 40 characters"),
        ("sku", "", "This field is required"),
    ],
)
def test_product_bad_input(client_for, field, value, message):
    response = client_for("manager").post("/products/new/", {**PRODUCT, field: value})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Product.objects.exists()


def test_duplicate_sku_is_rejected(client_for):
    ProductFactory(sku="CL-9001")
    response = client_for("manager").post("/products/new/", PRODUCT)
    assert "A product with this SKU already exists." in response.content.decode()


def test_warehouse_create_and_edit(client_for):
    client = client_for("manager")
    assert client.post("/warehouses/new/", WAREHOUSE).status_code == 302
    warehouse = Warehouse.objects.get(code="HZ1")
    assert (
        client.post(
            f"/warehouses/{warehouse.pk}/edit/", {**WAREHOUSE, "name": "杭州仓"}
        ).status_code
        == 302
    )
    warehouse.refresh_from_db()
    assert warehouse.name == "杭州仓"
    bad = client.post("/warehouses/new/", {**WAREHOUSE, "code": "X2", "latitude": "abc"})
    assert bad.status_code == 422
    assert not Warehouse.objects.filter(code="X2").exists()


def test_receive_adjust_transfer_through_the_forms(client_for, product, warehouses):
    sh, gz = warehouses
    client = client_for("warehouse")
    response = client.post(
        "/stock/receive/",
        {
            "product": product.sku.lower(),
            "warehouse": sh.pk,
            "quantity": "20",
            "unit_cost": "12.5",
            "reference": "PO-7",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/stock/ledger/?sku={product.sku}"
    ledger = client.get(response["Location"]).content.decode()
    assert "PO-7" in ledger
    assert "+20" in ledger
    assert (
        client.post(
            "/stock/adjust/",
            {"product": product.sku, "warehouse": sh.pk, "quantity": "-2", "reason": "damaged"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/stock/transfer/",
            {"product": product.sku, "source": sh.pk, "destination": gz.pk, "quantity": "5"},
        ).status_code
        == 302
    )
    levels = dict(StockLevel.objects.values_list("warehouse__code", "on_hand"))
    assert levels == {"SH1": 13, "GZ1": 5}
    # The receipt's cost is the average; the transfer carries it to the other warehouse.
    costs = dict(StockLevel.objects.values_list("warehouse__code", "average_cost"))
    assert costs == {"SH1": Decimal("12.5"), "GZ1": Decimal("12.5")}
    assert "¥12.50" in client.get("/stock/").content.decode()


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        (
            "/stock/receive/",
            {"product": "NOPE-1", "quantity": "1"},
            "No product has the SKU NOPE-1.",
        ),
        ("/stock/receive/", {"quantity": "-3"}, "Enter a quantity of at least 1."),
        ("/stock/receive/", {"quantity": "abc"}, "Enter a whole number."),
        ("/stock/receive/", {"quantity": "1.5"}, "Enter a whole number."),
        ("/stock/receive/", {"reference": "R" * 61, "quantity": "1"}, "at most 60 characters"),
        ("/stock/receive/", {"quantity": "1", "unit_cost": ""}, "This field is required."),
        ("/stock/receive/", {"quantity": "1", "unit_cost": "-1"}, "greater than or equal to 0"),
        ("/stock/receive/", {"quantity": "1", "unit_cost": "1.23456"}, "4 decimal places"),
        ("/stock/receive/", {"quantity": "1", "unit_cost": "abc"}, "Enter a number."),
        ("/stock/adjust/", {"quantity": "-50", "reason": "lost"}, "only 10 are there"),
        (
            "/stock/adjust/",
            {"quantity": "0", "reason": "lost"},
            "An adjustment of zero changes nothing.",
        ),
        ("/stock/adjust/", {"quantity": "3"}, "This field is required."),
        (
            "/stock/transfer/",
            {"quantity": "11", "to": "GZ1"},
            "Only 10 units are available in SH1.",
        ),
        (
            "/stock/transfer/",
            {"quantity": "1", "to": "SH1"},
            "Choose a different destination warehouse.",
        ),
    ],
)
def test_stock_forms_reject_bad_input_and_change_nothing(
    client_for, product, warehouses, url, data, message
):
    sh, gz = warehouses
    stock_receive(actor=None, product=product, warehouse=sh, quantity=10)
    destination = {"GZ1": gz.pk, "SH1": sh.pk}[data.pop("to", "GZ1")]
    payload = {
        "product": product.sku,
        "warehouse": sh.pk,
        "source": sh.pk,
        "destination": destination,
        **data,
    }
    response = client_for("warehouse").post(url, payload)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert StockMovement.objects.count() == 1
    assert StockLevel.objects.get(warehouse=sh).on_hand == 10


def test_stock_pages_show_available_and_low_stock(client_for, product, warehouses):
    movement = stock_receive(actor=None, product=product, warehouse=warehouses[0], quantity=4)
    StockLevel.objects.filter(pk=movement.stock_level_id).update(safety_stock=10, reserved=1)
    client = client_for("warehouse")
    low = client.get("/stock/low/").content.decode()
    assert product.sku in low
    stock = client.get("/stock/?below_safety=true").content.decode()
    assert product.sku in stock
    assert "table-warning" in stock
    csv = b"".join(client.get("/stock/low/?export=csv").streaming_content).decode("utf-8-sig")
    assert product.sku in csv
    assert "Shortfall" in csv.splitlines()[0]


def test_count_sheet_pdf_has_the_products_and_chinese_text(client_for, warehouses, tmp_path):
    sh = warehouses[0]
    products = [ProductFactory(name=f"星空吸顶灯 {n}号", sku=f"CL-77{n}") for n in range(3)]
    for n, product in enumerate(products):
        stock_receive(
            actor=None, product=product, warehouse=sh, quantity=5 + n, bin_location=f"B0{3 - n}"
        )
    client = client_for("warehouse")
    client.cookies["django_language"] = "zh-hans"
    response = client.get(f"/warehouses/{sh.pk}/count-sheet/?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for product in products:
        assert product.sku in text
        assert product.name in text
    assert "盘点" in text  # the title, in Chinese
    assert f"SC-{sh.code}-" in text
    # Sorted by bin: B01 holds the last product, B03 the first.
    assert text.index("CL-772") < text.index("CL-771") < text.index("CL-770")
    html = client.get(f"/warehouses/{sh.pk}/count-sheet/").content.decode()
    assert "CL-770" in html
    assert "data-print" in html


@pytest.mark.parametrize(
    "url", ["/products/", "/warehouses/", "/stock/", "/stock/low/", "/stock/ledger/", "/audit/"]
)
def test_list_query_counts_are_pinned(client_for, url):
    client = client_for("admin")
    warehouses = WarehouseFactory.create_batch(2)

    def add_rows(n):
        for _ in range(n):
            product = ProductFactory()
            for warehouse in warehouses:
                movement = stock_receive(
                    actor=None, product=product, warehouse=warehouse, quantity=3
                )
                StockLevel.objects.filter(pk=movement.stock_level_id).update(safety_stock=9)

    add_rows(2)
    few = len(page_queries(client, url))
    assert not page_queries(client, url).row_counts, "list pages never count rows"
    add_rows(30)
    assert len(page_queries(client, url)) == few
    assert len(page_queries(client, url + "?per_page=200")) == few
    assert few <= 9, f"{url} runs {few} queries"


@pytest.mark.parametrize("name", ["product", "warehouse"])
def test_detail_query_counts_are_pinned(client_for, name):
    client = client_for("admin")
    warehouses = WarehouseFactory.create_batch(3)
    product = ProductFactory()
    for warehouse in warehouses[:1]:
        stock_receive(actor=None, product=product, warehouse=warehouse, quantity=3)
    url = f"/products/{product.pk}/" if name == "product" else f"/warehouses/{warehouses[0].pk}/"
    few = len(page_queries(client, url))
    for warehouse in warehouses:
        for _ in range(3):
            stock_receive(actor=None, product=product, warehouse=warehouse, quantity=3)
    assert len(page_queries(client, url)) == few
