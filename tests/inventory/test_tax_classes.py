"""Tax classes as data: the rate valid on the order's date prices it, and an order keeps its
rate when a new one starts later."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory.models import TaxClass, TaxRate
from inventory.taxes import tax_class_save, tax_rate_add, tax_rates_on
from orders import services as order_services
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db


def test_the_demo_rates_come_from_the_migration():
    assert tax_rates_on(timezone.localdate()) == {
        "exempt": Decimal("0.0000"),
        "reduced": Decimal("0.0900"),
        "services": Decimal("0.0600"),
        "standard": Decimal("0.1300"),
    }


def test_an_order_takes_the_rate_of_its_day_and_keeps_it_when_amended(user_with_role):
    catalog = Catalog()
    lamp = catalog.product("113.00")
    catalog.stock(lamp, catalog.shanghai, 10)
    order = order_services.order_submit(
        actor=None, order=catalog.order(catalog.customer(), (lamp, 2))
    )
    assert order.lines.get().tax_rate == Decimal("0.1300")
    finance = user_with_role("finance")
    standard = TaxClass.objects.get(code="standard")
    today = timezone.localdate()
    # From today on 15 %: orders entered from today take it ...
    tax_rate_add(
        actor=finance, tax_class=standard, data={"rate": Decimal("0.15"), "valid_from": today}
    )
    later = catalog.order(catalog.customer(), (lamp, 1))
    assert later.lines.get().tax_rate == Decimal("0.1500")
    # ... an order entered before keeps 13 % when it is amended.
    type(order).objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=3))
    order.refresh_from_db()
    order_services.order_amend(actor=None, order=order, changes={1: 3})
    assert order.lines.get().tax_rate == Decimal("0.1300")
    assert order.lines.get().tax_amount == Decimal("39.00")  # 339.00 × 13/113


def test_a_rate_cannot_start_in_the_past_or_twice_on_one_day(user_with_role):
    finance = user_with_role("finance")
    standard = TaxClass.objects.get(code="standard")
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError, match="today or later"):
        tax_rate_add(
            actor=finance,
            tax_class=standard,
            data={"rate": Decimal("0.1"), "valid_from": yesterday},
        )
    tomorrow = yesterday + timedelta(days=2)
    tax_rate_add(
        actor=finance, tax_class=standard, data={"rate": Decimal("0.1"), "valid_from": tomorrow}
    )
    with pytest.raises(ValidationError, match="already has a rate"):
        tax_rate_add(
            actor=finance, tax_class=standard, data={"rate": Decimal("0.2"), "valid_from": tomorrow}
        )
    assert TaxRate.objects.filter(tax_class=standard).count() == 2


def test_a_product_of_a_class_without_a_rate_on_the_day_is_refused_with_a_message():
    catalog = Catalog()
    luxury = tax_class_save(actor=None, tax_class=None, data={"code": "luxury", "name": "奢侈品"})
    lamp = catalog.product("10.00", tax_class=luxury)
    with pytest.raises(Exception, match="has no rate"):
        catalog.order(catalog.customer(), (lamp, 1))


def test_finance_pages(client_for):
    client = client_for("finance")
    response = client.get("/tax-classes/")
    assert response.status_code == 200
    assert "13 %" in response.content.decode()
    standard = TaxClass.objects.get(code="standard")
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        f"/tax-classes/{standard.pk}/rates/new/", {"rate": "14", "valid_from": tomorrow.isoformat()}
    )
    assert response.status_code == 302
    assert TaxRate.objects.get(tax_class=standard, valid_from=tomorrow).rate == Decimal("0.1400")
    assert "14 %" in client.get(f"/tax-classes/{standard.pk}/").content.decode()
    assert client_for("warehouse").get("/tax-classes/").status_code == 403
    assert client_for("sales").post(f"/tax-classes/{standard.pk}/rates/new/", {}).status_code == 403
