"""Orders found by what people type: external references and number digits, through indexes."""

import pytest
from django.contrib.auth.models import User
from django.db import connection

from orders.filters import OrderFilterSet
from orders.models import Order
from orders.selectors import order_list, order_reference_match, order_search

pytestmark = pytest.mark.django_db
# One who sees every order (a sales user limited to their own customers: tests/security).
ADMIN = User(pk=0, is_superuser=True, is_active=True)

COPIED = [
    f.column
    for f in Order._meta.concrete_fields
    if f.column not in ("id", "number", "external_reference", "created_at", "updated_at")
]


@pytest.fixture
def orders(catalog):
    customer, product = catalog.customer(), catalog.product()
    audit = catalog.order(customer, (product, 1), external_reference="PO-AUDIT-1")
    Order.objects.filter(pk=audit.pk).update(number="SO-2026-002002")
    return {"audit": Order.objects.get(pk=audit.pk)}


def filtered(q: str) -> set[str]:
    return {o.number for o in OrderFilterSet({"q": q}, queryset=order_list(ADMIN)).qs}


@pytest.mark.parametrize("typed", ["PO-AUDIT-1", "po-audit", "2002", "002002", "SO-2026-0020"])
def test_header_search_and_list_find_references_and_digits(orders, typed):
    hits = order_search(ADMIN, typed)
    assert [h.label for h in hits] == ["SO-2026-002002"]
    assert filtered(typed) == {"SO-2026-002002"}


def test_digits_match_the_whole_sequence_not_a_part(orders):
    assert order_search(ADMIN, "0200") == []
    assert filtered("200") == set()
    assert order_search(ADMIN, "PO-AUDIT-1")[0].exact


def many_orders(template: Order, count: int) -> None:
    """Copy one order `count` times in one statement, then let the planner see the table."""
    columns = ", ".join(COPIED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO orders_order (number, external_reference, created_at, updated_at,
                    {columns})
                SELECT 'SO-2025-' || lpad(g::text, 6, '0'), 'EXT-' || g, now(), now(), {columns}
                FROM orders_order, generate_series(1, %s) g WHERE id = %s""",
            [count, template.pk],
        )
        cursor.execute("ANALYZE orders_order")


def test_searches_use_indexes_not_a_scan_of_orders(orders):
    many_orders(orders["audit"], 5000)
    for typed in ("PO-AUDIT", "2002", "SO-2025-0049"):
        header = Order.objects.filter(order_reference_match(typed)).order_by("-id")[:20].explain()
        listed = OrderFilterSet({"q": typed}, queryset=order_list(ADMIN)).qs.explain()
        for text in (header, listed):
            assert "Seq Scan on orders_order" not in text, (typed, text)
            assert "Index" in text, (typed, text)
    assert {h.label for h in order_search(ADMIN, "EXT-4999")} == {"SO-2025-004999"}
