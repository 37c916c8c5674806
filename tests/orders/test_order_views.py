from decimal import Decimal

import pytest

from orders import services
from orders.models import ApprovalRule, Order
from tests.factories import AddressFactory, UserFactory
from tests.helpers import page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_client(client):
    client.force_login(UserFactory(username="sales-v", role="sales"))
    return client


def test_new_order_then_lines_in_place_then_submit(catalog, sales_client):
    customer = catalog.customer()
    product = catalog.product("50.00")
    catalog.stock(product, catalog.shanghai, 10)
    response = sales_client.post(
        "/orders/new/", {"customer": customer.code.lower(), "channel": "back_office"}
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.number}/edit/"
    htmx = {"HTTP_HX_REQUEST": "true"}
    page = sales_client.post(
        f"/orders/{order.number}/edit/lines/add/",
        {"product": product.sku, "quantity": "3"},
        **htmx,
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="draft-lines"' in html
    assert "<html" not in html
    assert product.sku in html
    assert "¥150.00" in html
    sales_client.post(
        f"/orders/{order.number}/edit/lines/update/",
        {"line_no": "1", "quantity": "4", "discount_percent": "5"},
        **htmx,
    )
    order.refresh_from_db()
    assert order.total == Decimal("190.00")
    response = sales_client.post(f"/orders/{order.number}/submit/")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "allocated"
    detail = sales_client.get(f"/orders/{order.number}/").content.decode()
    assert "SH1 × 4" in detail
    assert "Allocated" in detail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"product": "NOPE-1", "quantity": "1"}, "No product has the SKU NOPE-1."),
        ({"quantity": "0"}, "Enter a quantity of at least 1."),
        ({"quantity": "x"}, "Enter a whole number."),
        ({"quantity": "1", "discount_percent": "50"}, "at most 10% discount"),
    ],
)
def test_bad_lines_show_a_message_and_change_nothing(catalog, sales_client, data, message):
    product = catalog.product()
    order = catalog.order(catalog.customer(), (product, 1))
    response = sales_client.post(
        f"/orders/{order.number}/edit/lines/add/",
        {"product": product.sku, **data},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert order.lines.count() == 1


def test_unknown_customer_on_new_order(sales_client):
    response = sales_client.post("/orders/new/", {"customer": "C99999", "channel": "back_office"})
    assert response.status_code == 422
    assert "No customer has the code C99999." in response.content.decode()
    assert not Order.objects.exists()


def test_messages_in_chinese(catalog, sales_client):
    product = catalog.product()
    order = catalog.order(catalog.customer(), (product, 1))
    sales_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = sales_client.post(
        f"/orders/{order.number}/edit/lines/add/",
        {"product": "NOPE-1", "quantity": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert "NOPE-1" in response.content.decode()
    assert "No product has" not in response.content.decode()
    services.order_submit(actor=None, order=order)
    page = sales_client.get(f"/orders/{order.number}/").content.decode()
    assert "缺货待补" in page


def test_forbidden_transition_is_a_message_not_an_error(catalog, sales_client):
    order = catalog.order(catalog.customer(), (catalog.product(), 1))
    services.order_cancel(actor=None, order=order, reason="x")
    response = sales_client.post(f"/orders/{order.number}/submit/", follow=True)
    assert response.status_code == 200
    assert "Only a draft can be submitted." in response.content.decode()


def test_review_queue_and_decisions_through_the_pages(catalog, client):
    ApprovalRule.objects.create(name="flag", condition="manual_flag", required_role="reviewer")
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 5)
    order = catalog.order(catalog.customer(), (product, 2), needs_review=True)
    services.order_submit(actor=None, order=order)
    reviewer = UserFactory(username="rev-v", role="reviewer")
    client.force_login(reviewer)
    assert f'href="/orders/{order.number}/"' in client.get("/approvals/").content.decode()
    response = client.post(f"/orders/{order.number}/reject/", {"note": ""}, follow=True)
    assert "Say why the order is rejected." in response.content.decode()
    client.post(f"/orders/{order.number}/approve/", {"note": "好"})
    order.refresh_from_db()
    assert order.status == "allocated"
    assert f'href="/orders/{order.number}/"' not in client.get("/approvals/").content.decode()


def amend_data(quantities: dict, **extra) -> dict:
    """The amendment formset as the page posts it: one form per line, in line order."""
    data = {"lines-TOTAL_FORMS": str(len(quantities)), "lines-INITIAL_FORMS": str(len(quantities))}
    for i, (line_no, quantity) in enumerate(quantities.items()):
        data[f"lines-{i}-line_no"], data[f"lines-{i}-quantity"] = str(line_no), quantity
    return {**data, **extra}


def test_hold_cancel_and_amend_pages(catalog, sales_client):
    product = catalog.product("10.00")
    catalog.stock(product, catalog.shanghai, 20)
    order = catalog.order(catalog.customer(), (product, 2))
    services.order_submit(actor=None, order=order)
    sales_client.post(f"/orders/{order.number}/hold/", {"reason": "客户要求暂缓"})
    assert Order.objects.get().on_hold
    sales_client.post(f"/orders/{order.number}/resume/")
    response = sales_client.post(
        f"/orders/{order.number}/amend/", amend_data({1: "5"}, note="加量")
    )
    assert response.status_code == 302
    assert Order.objects.get().lines.get().quantity == 5
    bad = sales_client.post(f"/orders/{order.number}/amend/", amend_data({1: "-1"}))
    assert bad.status_code == 422
    assert "whole number of 0 or more" in bad.content.decode()
    sales_client.post(f"/orders/{order.number}/cancel/", {"reason": "客户取消"})
    assert Order.objects.get().status == "cancelled"


def test_list_filters_search_and_export(catalog, sales_client):
    a = catalog.customer(name="宁波佳诚照明有限公司", phone="13900001111")
    b = catalog.customer(name="南宁宏达家居")
    product = catalog.product()
    first = catalog.order(a, (product, 1))
    second = catalog.order(b, (product, 1))
    services.order_cancel(actor=None, order=second, reason="x")
    html = sales_client.get("/orders/?q=佳诚").content.decode()
    assert first.number in html
    assert second.number not in html
    html = sales_client.get("/orders/?q=13900001111").content.decode()
    assert first.number in html
    assert second.number not in html
    html = sales_client.get(f"/orders/?q={second.number.lower()}").content.decode()
    assert second.number in html
    assert first.number not in html
    html = sales_client.get("/orders/?status=cancelled").content.decode()
    assert second.number in html
    assert first.number not in html
    html = sales_client.get(f"/orders/?customer={a.code}").content.decode()
    assert first.number in html
    assert second.number not in html
    export = sales_client.get("/orders/?status=draft&export=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert first.number in body
    assert second.number not in body
    assert "Draft" in body


def test_order_list_query_count_is_fixed(catalog, sales_client):
    product = catalog.product()
    catalog.order(catalog.customer(), (product, 1))
    few = len(page_queries(sales_client, "/orders/"))
    for _ in range(30):
        catalog.order(catalog.customer(), (product, 1))
    assert len(page_queries(sales_client, "/orders/")) == few
    assert len(page_queries(sales_client, "/orders/?per_page=200&status=draft")) == few
    assert not page_queries(sales_client, "/orders/?q=测试").row_counts
    assert few <= 8


def test_order_detail_query_count_is_fixed(catalog, sales_client):
    products = [catalog.product() for _ in range(6)]
    for product in products:
        catalog.stock(product, catalog.shanghai, 2)
        catalog.stock(product, catalog.guangzhou, 2)
    small = catalog.order(catalog.customer(), (products[0], 1))
    services.order_submit(actor=None, order=small)
    big = catalog.order(catalog.customer(), *[(p, 3) for p in products])
    services.order_submit(actor=None, order=big)
    assert len(page_queries(sales_client, f"/orders/{small.number}/")) == len(
        page_queries(sales_client, f"/orders/{big.number}/")
    )


def test_customer_page_shows_order_history(catalog, sales_client):
    customer = catalog.customer()
    order = catalog.order(customer, (catalog.product(), 1))
    html = sales_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Order history" in html
    assert order.number in html


def test_header_search_opens_an_order_by_number(catalog, sales_client):
    order = catalog.order(catalog.customer(), (catalog.product(), 1))
    response = sales_client.get("/search/", {"q": order.number.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.number}/"


def test_date_fields_keep_their_value_in_chinese(catalog, sales_client, today):
    order = catalog.order(catalog.customer(), (catalog.product(), 1), requested_delivery_date=today)
    sales_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = sales_client.get(f"/orders/{order.number}/edit/").content.decode()
    assert f'value="{today.isoformat()}"' in html


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("update", {"line_no": "abc", "quantity": "1"}, "The order has no such line"),
        ("update", {"quantity": "1"}, "The order has no such line"),
        ("update", {"line_no": "9", "quantity": "1"}, "The order has no line 9."),
        ("update", {"line_no": "1", "quantity": "99999999999999999999"}, "at most 1000000"),
        ("update", {"line_no": "1", "quantity": "2", "discount_percent": "1e400"}, "Discount %: "),
        ("update", {"line_no": "1", "quantity": "2", "discount_percent": "150"}, "Discount %: "),
        ("remove", {"line_no": "abc"}, "The order has no such line"),
        ("remove", {"line_no": "-3"}, "The order has no such line"),
        ("remove", {"line_no": "7"}, "The order has no line 7."),
        ("add", {"product": "{sku}", "quantity": "1e9"}, "Enter a whole number."),
        ("add", {"product": "{sku}", "quantity": "5000000"}, "at most 1000000"),
    ],
)
def test_draft_line_views_refuse_bad_input_with_a_form_error(
    catalog, sales_client, path, data, message, htmx
):
    product = catalog.product()
    order = catalog.order(catalog.customer(), (product, 1))
    data = {k: v.format(sku=product.sku) for k, v in data.items()}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = sales_client.post(f"/orders/{order.number}/edit/lines/{path}/", data, **headers)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert ("<html" in html) is not htmx  # htmx gets the lines fragment, a plain post the page
    line = order.lines.get()
    assert (line.quantity, line.discount_percent) == (1, 0)


def test_draft_changes_without_htmx_redirect_back_to_the_editor(catalog, sales_client):
    customer = catalog.customer()
    other_address = AddressFactory(
        customer=customer, city="苏州", is_default_shipping=False, is_default_billing=False
    )
    product = catalog.product("10.00")
    order = catalog.order(customer, (product, 1))
    editor = f"/orders/{order.number}/edit/"
    response = sales_client.post(f"{editor}lines/add/", {"product": product.sku, "quantity": "2"})
    assert response.status_code == 302
    assert response["Location"] == editor
    response = sales_client.post(f"{editor}lines/remove/", {"line_no": "1"})
    assert response.status_code == 302
    assert list(order.lines.values_list("line_no", "quantity")) == [(2, 2)]
    response = sales_client.post(
        f"{editor}details/",
        {"shipping_address": other_address.pk, "notes": "下午送货"},
        follow=True,
    )
    assert response.redirect_chain == [(editor, 302)]
    assert "Saved." in response.content.decode()
    order.refresh_from_db()
    assert (order.ship_city, order.notes) == ("苏州", "下午送货")
    stranger = AddressFactory()
    response = sales_client.post(f"{editor}details/", {"shipping_address": stranger.pk})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert sales_client.get(f"{editor}lines/add/").status_code == 405


def test_htmx_edit_of_an_order_that_left_draft_goes_to_the_order_page(catalog, sales_client):
    product = catalog.product()
    order = catalog.order(catalog.customer(), (product, 1))
    services.order_submit(actor=None, order=order)
    response = sales_client.post(
        f"/orders/{order.number}/edit/lines/add/",
        {"product": product.sku, "quantity": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == f"/orders/{order.number}/"
    assert order.lines.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "ManagementForm data is missing"),
        (amend_data({2: "3"}), "The order has no such line"),
        (amend_data({"x": "3"}), "The order has no such line"),
        (
            {
                **amend_data({1: "3"}),
                "lines-TOTAL_FORMS": "2",
                "lines-1-line_no": "1",
                "lines-1-quantity": "4",
            },
            "The order has no such line",
        ),
        (amend_data({1: "99999999999"}), "at most 1000000"),
        (amend_data({1: "2.5"}), "whole number of 0 or more"),
        (amend_data({1: "2"}), "Nothing changed."),
        (amend_data({1: "0"}), "cancel it instead"),
        (amend_data({1: "3"}, product="NOPE-1", quantity="1"), "No product has the SKU NOPE-1."),
    ],
)
def test_amend_refuses_bad_input_with_a_form_error(catalog, sales_client, data, message):
    product = catalog.product("10.00")
    catalog.stock(product, catalog.shanghai, 20)
    order = catalog.order(catalog.customer(), (product, 2))
    services.order_submit(actor=None, order=order)
    response = sales_client.post(f"/orders/{order.number}/amend/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert order.lines.get().quantity == 2


def test_amend_adds_a_line_and_shows_the_formset(catalog, sales_client):
    a, b = catalog.product("10.00"), catalog.product("20.00")
    catalog.stock(a, catalog.shanghai, 20)
    catalog.stock(b, catalog.shanghai, 20)
    order = catalog.order(catalog.customer(), (a, 2))
    services.order_submit(actor=None, order=order)
    page = sales_client.get(f"/orders/{order.number}/amend/").content.decode()
    assert 'name="lines-0-quantity"' in page
    assert 'name="lines-TOTAL_FORMS"' in page
    response = sales_client.post(
        f"/orders/{order.number}/amend/",
        amend_data({1: "2"}, product=b.sku, quantity="3", note="加一行"),
    )
    assert response.status_code == 302
    assert list(order.lines.values_list("line_no", "quantity")) == [(1, 2), (2, 3)]


def test_an_empty_form_past_the_lines_is_no_server_error(catalog, sales_client):
    """A hand-made post with more forms than the order has lines, the extra one empty."""
    product = catalog.product("10.00")
    catalog.stock(product, catalog.shanghai, 20)
    order = catalog.order(catalog.customer(), (product, 2))
    services.order_submit(actor=None, order=order)
    data = amend_data({1: "3"}, note="加量")
    data["lines-TOTAL_FORMS"] = "2"
    response = sales_client.post(f"/orders/{order.number}/amend/", data)
    assert response.status_code == 302
    assert Order.objects.get().lines.get().quantity == 3
