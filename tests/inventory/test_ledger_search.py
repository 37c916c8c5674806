"""The ledger's search reads indexes, never the whole ledger.

The ledger is filled once for this module with INSERT ... SELECT generate_series and
ANALYZEd, so the planner decides on real statistics. 200,000 rows rather than a
production-sized 1,000,000 keep the module near 15 s; at this size a sequential scan is
already the plan a "contains" search gets (the first test shows it), and each search below
must still avoid it. bench/ledger_search.py shows the plans and their times at 1,000,000.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import StockLevel, StockMovement
from tests.factories import ProductFactory, WarehouseFactory

ROWS = 200_000
LEDGER = "inventory_stockmovement"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def big_ledger(django_db_setup, django_db_blocker):
    """Committed for the module's tests (each still runs in its own rolled-back transaction);
    the append-only ledger is emptied with TRUNCATE afterwards (no row trigger fires)."""
    with django_db_blocker.unblock():
        warehouses = [WarehouseFactory(code="SH1"), WarehouseFactory(code="GZ1", region="GD")]
        products = [
            ProductFactory(sku=f"LS-{n:04d}", name=f"筒灯 {n}", category=None) for n in range(60)
        ]
        products.append(ProductFactory(sku="CL-0042", name="星空吸顶灯 48W", category=None))
        for product in products:
            for warehouse in warehouses:
                StockLevel.objects.create(product=product, warehouse=warehouse, on_hand=10**6)
        fill_ledger(ROWS)
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {LEDGER} CASCADE")  # return lines point at rows
        StockLevel.objects.filter(product__in=products).delete()
        for product in products:
            product.delete()
        for warehouse in warehouses:
            warehouse.delete()


def fill_ledger(rows: int) -> None:
    """Receipts, issues to orders and a few adjustments, newest last, like a real ledger."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH levels AS (SELECT array_agg(id ORDER BY id) AS ids FROM inventory_stocklevel)
            INSERT INTO {LEDGER} (created_at, stock_level_id, product_id, warehouse_id, kind,
                quantity, balance_after, reason, reference, note, actor_id)
            SELECT now() - (%(rows)s - g) * interval '1 minute', s.id, s.product_id,
                   s.warehouse_id,
                   CASE WHEN g %% 10 = 0 THEN 'receipt' WHEN g %% 97 = 0 THEN 'adjustment'
                        ELSE 'issue' END,
                   CASE WHEN g %% 10 = 0 THEN 50 ELSE -1 END, 1000,
                   CASE WHEN g %% 97 = 0 AND g %% 10 <> 0 THEN 'damaged' ELSE '' END,
                   CASE WHEN g %% 10 = 0 THEN 'PO-' || (g / 10)
                        ELSE 'SO-2026-' || lpad(g::text, 6, '0') END,
                   CASE WHEN g %% 997 = 0 THEN 'carton crushed in transit' ELSE '' END,
                   NULL
            FROM generate_series(1, %(rows)s) g CROSS JOIN levels
            JOIN inventory_stocklevel s ON s.id = levels.ids[1 + g %% array_length(levels.ids, 1)]
            """,
            {"rows": rows},
        )
        cursor.execute(f"ANALYZE {LEDGER}")
        cursor.execute("ANALYZE inventory_product")


def ledger_page(client, query: str) -> tuple[str, str]:
    """The page's HTML and the plan of the query that fetched its rows."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/stock/ledger/", {"q": query})
    assert response.status_code == 200
    (sql,) = [q["sql"] for q in captured if f'FROM "{LEDGER}"' in q["sql"] and "LIMIT" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return response.content.decode(), plan


def references(html: str) -> list[str]:
    return re.findall(r">((?:SO-2026-|PO-)\d+)<", html)


def test_contains_over_the_ledger_is_a_sequential_scan(big_ledger):
    """What the search did before: the plan every search below must not have."""
    query = StockMovement.objects.filter(reference__icontains="2026-000123").order_by("-id")
    assert f"Seq Scan on {LEDGER}" in query[:51].explain()


def test_an_order_number_finds_its_rows_through_the_reference_index(big_ledger, client_for):
    html, plan = ledger_page(client_for("warehouse"), "so-2026-000123")
    assert references(html) == ["SO-2026-000123"]
    assert "movement_reference_prefix" in plan
    assert f"Seq Scan on {LEDGER}" not in plan, plan


def test_a_reference_prefix_finds_the_newest_first(big_ledger, client_for):
    html, plan = ledger_page(client_for("warehouse"), "SO-2026-00012")
    found = references(html)
    assert found[0] == "SO-2026-000129"
    assert len(found) == 9
    assert f"Seq Scan on {LEDGER}" not in plan, plan


def test_a_sku_finds_its_product_rows_without_scanning_the_ledger(big_ledger, client_for):
    html, plan = ledger_page(client_for("warehouse"), "CL-0042")
    assert "CL-0042" in html
    assert "LS-0001" not in html
    assert f"Seq Scan on {LEDGER}" not in plan, plan


def test_a_word_of_the_note_is_found_through_its_index(big_ledger, client_for):
    html, plan = ledger_page(client_for("warehouse"), "crushed")
    assert "carton crushed in transit" in html
    assert "movement_note_words" in plan
    assert f"Seq Scan on {LEDGER}" not in plan, plan


def test_nothing_found_is_quick_too(big_ledger, client_for):
    html, plan = ledger_page(client_for("warehouse"), "no-such-thing")
    assert not references(html)
    assert f"Seq Scan on {LEDGER}" not in plan, plan
