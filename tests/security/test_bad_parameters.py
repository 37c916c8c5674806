"""Malformed or hostile parameters get a clear 4xx (or are clamped), never a 500."""

from email.message import Message

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import OperationalError

from oms.generic import MAX_PER_PAGE, ObjectActionView, ObjectListView, int_param
from oms.views import DashboardView
from tests.factories import WarehouseFactory
from tests.oms.test_roles_matrix import our_url_patterns

LIST_PAGES = [
    name
    for name, view in our_url_patterns()
    if view is not None and issubclass(view, ObjectListView)
]

BAD_PAGING = [
    "page=99999999999999999999",
    "page=-3",
    "page=abc",
    "page=%C2%B2",  # a superscript two: a digit to str.isdigit, not to int()
    "per_page=-5",
    "per_page=100000",
    "per_page=1e9",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_list_survives_malformed_paging(name, admin_client):
    from django.urls import reverse

    url = reverse(name)
    for query in BAD_PAGING:
        response = admin_client.get(f"{url}?{query}")
        assert response.status_code == 200, (url, query, response.status_code)


def test_page_size_is_clamped(rf):
    assert int_param(rf.get("/?per_page=100000"), "per_page", 50, low=1, high=500) == MAX_PER_PAGE
    assert int_param(rf.get("/?per_page=-5"), "per_page", 50, low=1, high=500) == 1
    assert int_param(rf.get("/?per_page=²"), "per_page", 50, low=1, high=500) == 50
    assert int_param(rf.get("/?per_page=x"), "per_page", 50, low=1, high=500) == 50


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/search/?q=%00", "/orders/%00/", "/customers/?q=a%00b", "/stock/ledger/?q=%00"]
)
def test_nul_bytes_are_refused_with_400(url, admin_client):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["仓1", 'W"1'])
def test_count_sheet_for_any_warehouse_code(code, admin_client):
    warehouse = WarehouseFactory(code=code)
    response = admin_client.get(f"/warehouses/{warehouse.pk}/count-sheet/?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    header = Message()
    header["Content-Disposition"] = response["Content-Disposition"]
    assert header.get_filename().startswith(f"SC-{code}-")  # the name survives, quotes and all


@pytest.mark.django_db
def test_database_outage_answers_503_with_retry_hint(admin_client, monkeypatch):
    def down(self, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(DashboardView, "get_context_data", down)
    monkeypatch.setattr("oms.middleware._connection_usable", lambda: False)
    response = admin_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"]


@pytest.mark.django_db
def test_a_refused_query_on_a_live_database_is_not_hidden_as_503(admin_client, monkeypatch):
    def fails(self, **kwargs):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(DashboardView, "get_context_data", fails)
    admin_client.raise_request_exception = False
    assert admin_client.get("/").status_code == 500


@pytest.mark.django_db
def test_a_nul_byte_in_a_form_is_refused_and_saves_nothing(client_for):
    from customers.models import Customer
    from tests.customers.test_customer_views import VALID

    client = client_for("sales")
    response = client.post("/customers/new/", {**VALID, "name": "a\x00b"})
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    assert not Customer.objects.filter(code__iexact=VALID["code"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"), [("get", "/search/?q=%00"), ("post", "/customers/new/")]
)
def test_nul_refusals_speak_the_users_language(method, url, client_for):
    """The guard runs before LocaleMiddleware: it must not answer in whatever language the
    thread served last."""
    client = client_for("sales")
    client.cookies["django_language"] = "en"
    client.get("/")  # the thread now speaks English
    client.cookies["django_language"] = "zh-hans"
    response = getattr(client, method)(url, {"name": "\x00"} if method == "post" else None)
    assert response.status_code == 400
    assert "不允许" in response.content.decode()


@pytest.mark.django_db
def test_boost_of_an_order_that_does_not_exist_is_a_404(admin_client):
    assert admin_client.post("/orders/SO-2026-999999/boost/", {"boost": "x"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("product", ["²", "abc", "99999999999999999999", ""])
def test_removing_a_malformed_product_from_a_price_list_says_so(product, admin_client):
    from orders.models import PriceList

    price_list = PriceList.objects.create(name="retail", customer_group="retail")
    response = admin_client.post(
        f"/price-lists/{price_list.pk}/prices/", {"action": "remove", "product": product}
    )
    assert response.status_code == 302
    assert "not in this price list" in " ".join(map(str, get_messages(response.wsgi_request)))


@pytest.mark.django_db
def test_invalid_filters_open_the_filter_panel_with_their_errors(admin_client):
    html = admin_client.get("/orders/?created_after=2026-02-30&total_min=abc").content.decode()
    assert 'collapse show" id="filters"' in html
    assert html.count("invalid-feedback") >= 2


class _Touch(ObjectActionView):
    permission_required = "orders.view_order"

    def perform(self, request, **kwargs):
        return "done"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sent", "referer", "expected"),
    [
        ("https://evil.example/", "", "/"),
        ("//evil.example/x", "", "/"),
        ("", "https://evil.example/", "/"),
        ("/orders/?page=2", "", "/orders/?page=2"),
        ("", "http://testserver/stock/", "http://testserver/stock/"),
    ],
)
def test_an_action_never_sends_the_user_to_another_site(sent, referer, expected, rf, admin_user):
    request = rf.post("/x/", {"next": sent} if sent else {}, HTTP_REFERER=referer)
    request.user = admin_user
    request._messages = CookieStorage(request)
    response = _Touch.as_view()(request)
    assert response["Location"] == expected
