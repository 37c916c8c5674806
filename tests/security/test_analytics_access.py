"""Sales analytics against a curious or hostile user: a sales user sees only their own
customers' figures (page, export, group by salesperson), other roles see nothing, only
managers refresh the summaries, and no parameter breaks the page or writes anything."""

import csv
import io

import pytest
from django.utils import timezone

from orders.analytics import sales_summaries_refresh
from orders.models import SalesSummaryDay
from tests.orders.conftest import Catalog
from tests.orders.test_sales_analytics import build_sales_book


@pytest.fixture
def sales_book(db):
    return build_sales_book(Catalog(), timezone.localdate())


@pytest.fixture
def summarised(sales_book):
    sales_summaries_refresh(start=sales_book["days"][0], end=sales_book["days"][-1])
    return sales_book


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.mark.parametrize(
    "query",
    [
        "group=nonsense",
        "start=2026-13-45",
        "start=2026-05-01&end=2026-04-01",
        "start=2000-01-01&end=2026-01-01",
        "start=0001-01-01&compare=on",
        "end=9999-12-31",
        "channel=teleport",
        "region=XX",
        "category=abc",
        "salesperson=999999",
        "sku=NO-SUCH-SKU",
        "sku=" + "A," * 60,
    ],
)
def test_bad_parameters_are_refused_with_a_message(client_for, summarised, query):
    page = client_for("manager").get(f"/analytics/sales/?{query}")
    assert page.status_code == 422
    assert "invalid-feedback" in page.content.decode()


def test_a_sales_user_sees_only_their_customers(client_for, summarised, settings):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    seller = summarised["seller"]
    from django.test import Client

    client = Client()
    client.force_login(seller)
    first, last = summarised["days"][0], summarised["days"][-1]
    exported = client.get(f"/analytics/sales/?start={first}&end={last}&group=channel&export=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["Back office", "Total"]
    # No salesperson to choose; asking for another salesperson's figures is not a choice.
    page = client.get(f"/analytics/sales/?salesperson={summarised['other'].pk}")
    assert page.status_code == 200
    assert 'name="salesperson"' not in page.content.decode()
    assert client.get("/analytics/sales/?group=salesperson").status_code == 422


@pytest.mark.parametrize("role", ["warehouse", "logistics", "reviewer", "customer_service"])
def test_other_roles_may_not_see_sales(client_for, role):
    assert client_for(role).get("/analytics/sales/").status_code == 403


def test_sales_may_not_refresh(client_for, sales_book):
    day = sales_book["days"][0]
    response = client_for("sales").post("/analytics/sales/refresh/", {"start": day, "end": day})
    assert response.status_code == 403
    assert not SalesSummaryDay.objects.exists()


def test_a_refresh_with_bad_days_writes_nothing(client_for, sales_book, today):
    client = client_for("manager")
    for data in (
        {"start": "x", "end": "y"},
        {"start": today, "end": today},
        {},
        {"start": "0001-01-01", "end": "0001-01-02"},
    ):
        response = client.post("/analytics/sales/refresh/", data)
        assert response.status_code == 302
    assert not SalesSummaryDay.objects.exists()
