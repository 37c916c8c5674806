"""Back-office pages for price lists, promotions, shipping fee rules and approval rules."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from oms.models import AuditLog
from orders.models import ApprovalRule, PriceList, PriceListItem, Promotion, ShippingRule
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.helpers import page_queries

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(username="mgr-rules", role="manager"))
    return client


def html(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------ price lists


def test_price_list_list_create_edit_deactivate(manager_client):
    wholesale = PriceList.objects.create(name="Wholesale", customer_group="wholesale")
    page = manager_client.get("/price-lists/")
    assert page.status_code == 200
    assert "Wholesale" in html(page)
    assert "New price list" in html(page)
    response = manager_client.post(
        "/price-lists/new/",
        {"name": " Retail 2026 ", "customer_group": "retail", "prices_include_tax": "on"},
    )
    price_list = PriceList.objects.get(customer_group="retail")
    assert response.status_code == 302
    assert response["Location"] == f"/price-lists/{price_list.pk}/"
    assert price_list.name == "Retail 2026"
    assert price_list.is_active
    response = manager_client.post(
        f"/price-lists/{price_list.pk}/edit/",
        {"name": "Retail 2026", "customer_group": "retail"},  # tax box unticked
    )
    assert response.status_code == 302
    price_list.refresh_from_db()
    assert price_list.prices_include_tax is False
    response = manager_client.post(f"/price-lists/{price_list.pk}/deactivate/")
    assert response.status_code == 302
    price_list.refresh_from_db()
    assert price_list.is_active is False
    assert list(
        AuditLog.objects.filter(object_type="orders.pricelist").values_list("action", flat=True)
    ) == ["price_list.deactivate", "price_list.update", "price_list.create"]
    filtered = html(manager_client.get("/price-lists/?is_active=false"))
    assert f'href="/price-lists/{price_list.pk}/"' in filtered
    assert f'href="/price-lists/{wholesale.pk}/"' not in filtered
    csv = manager_client.get("/price-lists/?export=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "Retail 2026" in b"".join(csv.streaming_content).decode("utf-8-sig")


def test_second_list_for_a_group_starts_inactive_and_switches_over(manager_client):
    old = PriceList.objects.create(name="Retail 2026", customer_group="retail")
    manager_client.post("/price-lists/new/", {"name": "Retail 2027", "customer_group": "retail"})
    new = PriceList.objects.get(name="Retail 2027")
    assert new.is_active is False
    page = html(manager_client.get(f"/price-lists/{new.pk}/"))
    assert "Retail 2026" in page
    assert "Activate" in page
    manager_client.post(f"/price-lists/{new.pk}/activate/")
    old.refresh_from_db(), new.refresh_from_db()
    assert new.is_active
    assert not old.is_active


def test_line_editor_sets_breaks_in_place(manager_client):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    ProductFactory(sku="CL-3001", name="星空吸顶灯")
    url = f"/price-lists/{price_list.pk}/prices/"
    response = manager_client.post(
        url,
        {
            "action": "save",
            "slots": "3",
            "sku": "cl-3001",
            "min_quantity_0": "1",
            "unit_price_0": "128",
            "min_quantity_1": "10",
            "unit_price_1": "119.50",
        },
        **HTMX,
    )
    block = html(response)
    assert response.status_code == 200
    assert "<html" not in block
    assert 'id="prices"' in block
    assert "Prices of CL-3001 saved." in block
    assert "¥119.50" in block
    assert PriceListItem.objects.count() == 2
    # Edit fills the editor with the product's breaks and one spare row.
    editor = html(manager_client.get(f"{url}?sku=CL-3001", **HTMX))
    assert 'value="CL-3001"' in editor
    assert 'name="unit_price_2"' in editor
    assert 'value="119.50"' in editor


def test_bad_breaks_keep_what_was_typed(manager_client):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    ProductFactory(sku="CL-3001")
    response = manager_client.post(
        f"/price-lists/{price_list.pk}/prices/",
        {
            "action": "save",
            "slots": "3",
            "sku": "CL-3001",
            "min_quantity_0": "10",
            "unit_price_0": "90",
            "min_quantity_1": "5",
            "unit_price_1": "95",
        },
        **HTMX,
    )
    block = html(response)
    assert response.status_code == 422
    assert "Quantity breaks go up from row to row: 5 comes after 10." in block
    assert 'value="95"' in block
    assert 'value="CL-3001"' in block
    assert not PriceListItem.objects.exists()
    response = manager_client.post(
        f"/price-lists/{price_list.pk}/prices/",
        {"action": "save", "slots": "3", "sku": "NOPE", "min_quantity_0": "1", "unit_price_0": "1"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "No product has the SKU NOPE." in html(response)


def test_line_editor_without_javascript(manager_client):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    product = ProductFactory(sku="CL-3001")
    url = f"/price-lists/{price_list.pk}/prices/"
    response = manager_client.post(
        url,
        {
            "action": "save",
            "slots": "3",
            "sku": "CL-3001",
            "min_quantity_0": "1",
            "unit_price_0": "5",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/price-lists/{price_list.pk}/"
    bad = manager_client.post(url, {"action": "save", "slots": "3", "sku": "CL-3001"})
    assert bad.status_code == 422
    assert "<html" in html(bad)
    assert "Enter at least one price." in html(bad)
    manager_client.post(url, {"action": "remove", "product": str(product.pk)})
    assert not PriceListItem.objects.exists()
    assert AuditLog.objects.filter(action="price_list.prices").count() == 2


def test_price_list_page_search_pages_and_csv(manager_client):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    for n in range(55):
        product = ProductFactory(sku=f"P-{n:03d}", name=f"灯 {n}")
        PriceListItem.objects.create(price_list=price_list, product=product, unit_price=n + 1)
    page = html(manager_client.get(f"/price-lists/{price_list.pk}/"))
    assert "55 products" in page
    assert "Page 1 of 2" in page
    assert "P-049" in page
    assert "P-050" not in page
    found = html(manager_client.get(f"/price-lists/{price_list.pk}/?q=p-05", **HTMX))
    assert "P-051" in found
    assert "P-049" not in found
    assert "<html" not in found
    csv = b"".join(
        manager_client.get(f"/price-lists/{price_list.pk}/?export=csv").streaming_content
    )
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0] == "SKU,From quantity,Unit price,Product"
    assert lines[1] == "P-000,1,1.00,灯 0"


def test_import_page(manager_client):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    ProductFactory(sku="CL-3001")
    url = f"/price-lists/{price_list.pk}/import/"
    assert manager_client.get(url).status_code == 200
    bad = manager_client.post(url, {"text": "CL-3001, 1, 10\nXX-1, 1, 5"})
    assert bad.status_code == 422
    assert "No product has the SKU XX-1." in html(bad)
    assert "XX-1, 1, 5" in html(bad)  # what was pasted stays
    response = manager_client.post(url, {"text": "CL-3001, 1, 10\nCL-3001, 5, 9"})
    assert response.status_code == 302
    assert PriceListItem.objects.count() == 2


# ------------------------------------------------------------------ promotions


def test_promotion_list_create_edit_deactivate(manager_client):
    product = ProductFactory(sku="CL-3001")
    response = manager_client.post(
        "/promotions/new/",
        {
            "name": "Spring",
            "kind": "percent",
            "value": "10",
            "scope": "product",
            "product": "cl-3001",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-31",
        },
    )
    promotion = Promotion.objects.get()
    assert response.status_code == 302
    assert promotion.product == product
    listing = html(manager_client.get("/promotions/"))
    assert "Spring" in listing
    assert "10%" in listing
    assert "CL-3001" in listing
    edit = html(manager_client.get(f"/promotions/{promotion.pk}/"))
    assert 'value="CL-3001"' in edit
    assert "Deactivate" in edit
    response = manager_client.post(
        f"/promotions/{promotion.pk}/",
        {
            "name": "Spring",
            "kind": "fixed",
            "value": "15",
            "scope": "all",
            "product": "CL-3001",
            "starts_on": "2026-03-01",
            "ends_on": "2026-04-15",
        },
    )
    assert response.status_code == 302
    promotion.refresh_from_db()
    assert promotion.product is None
    assert promotion.ends_on == date(2026, 4, 15)
    manager_client.post(f"/promotions/{promotion.pk}/deactivate/")
    promotion.refresh_from_db()
    assert promotion.is_active is False
    assert "Inactive" in html(manager_client.get("/promotions/?is_active=false"))
    manager_client.post(f"/promotions/{promotion.pk}/activate/")
    promotion.refresh_from_db()
    assert promotion.is_active is True


def test_promotion_errors_on_the_field_in_chinese(manager_client):
    manager_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = manager_client.post(
        "/promotions/new/",
        {
            "name": "春季",
            "kind": "percent",
            "value": "150",
            "scope": "category",
            "starts_on": "2026-03-31",
            "ends_on": "2026-03-01",
        },
    )
    page = html(response)
    assert response.status_code == 422
    assert not Promotion.objects.exists()
    assert "促销结束日期不能早于开始日期。" in page
    assert "百分比最多为 100。" in page
    assert "请选择分类。" in page
    assert 'value="春季"' in page


def test_promotion_state_filter(manager_client):
    category = CategoryFactory(name="吸顶灯")
    today = timezone.localdate()
    for name, start, end in [
        ("Now", today, today),
        ("Later", date(today.year + 1, 1, 1), date(today.year + 1, 1, 2)),
        ("Past", date(2020, 1, 1), date(2020, 1, 2)),
    ]:
        Promotion.objects.create(
            name=name,
            kind="percent",
            value=5,
            scope="category",
            category=category,
            starts_on=start,
            ends_on=end,
        )
    page = html(manager_client.get("/promotions/?state=current"))
    assert "Now" in page
    assert "Later" not in page
    assert "Past" not in page


# ------------------------------------------------------------------ shipping fee rules


def test_shipping_rule_list_create_edit_deactivate(manager_client):
    response = manager_client.post(
        "/shipping-fees/new/",
        {
            "name": "Zhejiang light",
            "region": "ZJ",
            "max_weight_kg": "5",
            "base_fee": "8",
            "per_kg_fee": "0",
        },
    )
    assert response.status_code == 302
    rule = ShippingRule.objects.get()
    listing = html(manager_client.get("/shipping-fees/"))
    assert "Zhejiang light" in listing
    assert "¥8.00" in listing
    assert "Never" in listing
    response = manager_client.post(
        f"/shipping-fees/{rule.pk}/",
        {
            "name": "Zhejiang light",
            "region": "ZJ",
            "max_weight_kg": "5",
            "base_fee": "9",
            "per_kg_fee": "1.5",
            "free_above": "199",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.base_fee, rule.free_above) == (Decimal("9.00"), Decimal("199.00"))
    bad = manager_client.post(
        "/shipping-fees/new/",
        {"name": "Clash", "region": "ZJ", "max_weight_kg": "5", "base_fee": "7", "per_kg_fee": "0"},
    )
    assert bad.status_code == 422
    assert "already covers this region and weight" in html(bad)
    manager_client.post(f"/shipping-fees/{rule.pk}/deactivate/")
    rule.refresh_from_db()
    assert rule.is_active is False
    row = f'href="/shipping-fees/{rule.pk}/"'
    assert row not in html(manager_client.get("/shipping-fees/?region=all"))
    assert row in html(manager_client.get("/shipping-fees/?region=ZJ"))


# ------------------------------------------------------------------ approval rules


def test_approval_rule_list_create_edit_deactivate(manager_client):
    response = manager_client.post(
        "/orders/approval-rules/new/",
        {
            "name": "Big orders",
            "condition": "amount_at_least",
            "required_role": "manager",
            "level": "1",
        },
    )
    assert response.status_code == 422
    assert "Enter the amount from which orders need this approval." in html(response)
    response = manager_client.post(
        "/orders/approval-rules/new/",
        {
            "name": "Big orders",
            "condition": "amount_at_least",
            "threshold": "50000",
            "required_role": "manager",
            "level": "1",
        },
    )
    assert response.status_code == 302
    rule = ApprovalRule.objects.get()
    assert "Big orders" in html(manager_client.get("/orders/approval-rules/"))
    manager_client.post(
        f"/orders/approval-rules/{rule.pk}/",
        {
            "name": "Big orders",
            "condition": "amount_at_least",
            "threshold": "80000",
            "required_role": "manager",
            "level": "2",
        },
    )
    rule.refresh_from_db()
    assert (rule.threshold, rule.level) == (Decimal("80000.00"), 2)
    manager_client.post(f"/orders/approval-rules/{rule.pk}/deactivate/")
    rule.refresh_from_db()
    assert rule.is_active is False
    assert list(
        AuditLog.objects.filter(object_type="orders.approvalrule")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["approval_rule.create", "approval_rule.update", "approval_rule.deactivate"]


# ------------------------------------------------------------------ who gets in


@pytest.mark.parametrize(
    "url", ["/price-lists/", "/promotions/", "/shipping-fees/", "/orders/approval-rules/"]
)
def test_sales_cannot_open_the_rule_pages(client_for, url):
    assert client_for("sales").get(url).status_code == 403


def test_sidebar_lists_the_rule_pages_for_managers(manager_client):
    page = html(manager_client.get("/"))
    for url in ("/price-lists/", "/promotions/", "/shipping-fees/", "/orders/approval-rules/"):
        assert f'href="{url}"' in page


def test_admin_is_closed_to_staff_who_are_not_superusers(client, django_user_model):
    staff = UserFactory(username="staff-mgr", role="manager", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/orders/pricelist/").status_code == 302
    boss = django_user_model.objects.create_superuser("root-rules", "r@example.com", "pw")
    client.force_login(boss)
    assert client.get("/admin/").status_code == 200
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    # Superusers look; changes go through the back-office pages and their audit trail.
    page = client.get(f"/admin/orders/pricelist/{price_list.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in html(page)


def test_rule_pages_query_counts_do_not_grow_with_rows(manager_client):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    category = CategoryFactory(name="筒灯")

    def add_rows(start: int, count: int) -> None:
        for n in range(start, start + count):
            product = ProductFactory(sku=f"Q-{n:03d}")
            for quantity in (1, 10):
                PriceListItem.objects.create(
                    price_list=price_list, product=product, min_quantity=quantity, unit_price=9
                )
            Promotion.objects.create(
                name=f"P{n}",
                kind="percent",
                value=5,
                scope="product" if n % 2 else "category",
                product=product if n % 2 else None,
                category=None if n % 2 else category,
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
            )

    add_rows(0, 2)
    urls = [f"/price-lists/{price_list.pk}/", "/promotions/", "/price-lists/"]
    before = [len(page_queries(manager_client, url)) for url in urls]
    add_rows(2, 20)
    assert [len(page_queries(manager_client, url)) for url in urls] == before
