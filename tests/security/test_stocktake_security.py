"""Stocktakes: who may post, double submits, lines of another session, closed sessions,
formulas in the CSV template."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory import services, stocktake
from inventory.models import StockMovement
from tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted():
    """Two warehouses, each with an open stocktake; the first counted one short."""
    counts = []
    for code in ("SEC1", "SEC2"):
        warehouse = WarehouseFactory(code=code)
        product = ProductFactory(sku=f"{code}-P", name='=HYPERLINK("http://x")')
        services.stock_receive(actor=None, product=product, warehouse=warehouse, quantity=4)
        counts.append(stocktake.stocktake_open(actor=None, warehouse=warehouse))
    first = counts[0]
    stocktake.stocktake_record_counts(actor=None, count=first, counts={first.lines.get().pk: 3})
    return counts


@pytest.mark.parametrize(
    "role", ["warehouse", "sales", "finance", "logistics", "reviewer", "customer_service"]
)
def test_only_managers_and_admins_post(counted, client_for, role):
    count = counted[0]
    response = client_for(role).post(reverse("inventory:stocktake_post", args=[count.pk]))
    assert response.status_code == 403
    assert not StockMovement.objects.filter(reference=count.number).exists()


def test_a_double_submitted_post_writes_once(counted, client_for):
    count = counted[0]
    manager = client_for("manager")
    url = reverse("inventory:stocktake_post", args=[count.pk])
    assert manager.post(url).status_code == 302
    assert manager.post(url).status_code == 302  # refused with a message
    assert StockMovement.objects.filter(reference=count.number).count() == 1


def test_counts_for_another_sessions_line_are_refused(counted, client_for):
    first, second = counted
    foreign = second.lines.get()
    response = client_for("warehouse").post(
        reverse("inventory:stocktake_count", args=[first.pk]),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-line": foreign.pk,
            "form-0-counted": "99",
        },
    )
    assert response.status_code == 422
    foreign.refresh_from_db()
    assert foreign.counted is None


def test_more_forms_than_the_page_has_are_refused(counted, client_for):
    first, _second = counted
    response = client_for("warehouse").post(
        reverse("inventory:stocktake_count", args=[first.pk]),
        {"form-TOTAL_FORMS": 2000, "form-INITIAL_FORMS": 0},
    )
    assert response.status_code in (302, 422)
    assert first.lines.get().counted == 3


def test_a_closed_session_takes_no_counts(counted, client_for):
    first, _second = counted
    stocktake.stocktake_cancel(actor=None, count=first)
    clerk = client_for("warehouse")
    upload = SimpleUploadedFile("c.csv", b"sku,counted\nSEC1-P,1\n")
    response = clerk.post(reverse("inventory:stocktake_upload", args=[first.pk]), {"file": upload})
    assert response.status_code == 422
    assert "can no longer change" in response.content.decode()
    assert first.lines.get().counted == 3


def test_bad_page_numbers_and_missing_sessions(counted, client_for):
    clerk = client_for("warehouse")
    url = reverse("inventory:stocktake_count", args=[counted[0].pk])
    for page in ("0", "-1", "abc", "99999999999999999999"):
        assert clerk.get(url, {"page": page}).status_code == 200
    assert clerk.get(reverse("inventory:stocktake_detail", args=[10**9])).status_code == 404
    assert clerk.post(reverse("inventory:stocktake_cancel", args=[10**9])).status_code == 404


def test_template_csv_defuses_formulas(counted, client_for):
    response = client_for("warehouse").get(
        reverse("inventory:stocktake_template", args=[counted[0].pk])
    )
    text = response.content.decode("utf-8-sig")
    assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")
