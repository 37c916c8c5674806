"""Costs and margins are for managers and finance (billing.view_margin): sales, customer
service and the warehouse never see the order page's margin panel nor the margin report."""

from decimal import Decimal

import pytest

from inventory.services import stock_receive
from orders import services as order_services
from tests.billing.conftest import Billing

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(db, user_with_role):
    billing = Billing()
    sales = user_with_role("sales")
    lamp = billing.product("40.00")
    stock_receive(
        actor=None, product=lamp, warehouse=billing.shanghai, quantity=5, unit_cost=Decimal("17")
    )
    customer = billing.business(payment_terms="net_30", salesperson=sales)
    return order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 2)))


@pytest.mark.parametrize("role", ["admin", "manager", "finance"])
def test_managers_and_finance_see_the_margin(client, user_with_role, order, role):
    client.force_login(user_with_role(role))
    assert 'id="order-margin"' in client.get(f"/orders/{order.number}/").content.decode()
    assert client.get("/margin/").status_code == 200


@pytest.mark.parametrize("role", ["sales", "customer_service", "warehouse"])
def test_other_roles_see_no_cost_nor_margin(client, user_with_role, order, role):
    client.force_login(user_with_role(role))
    page = client.get(f"/orders/{order.number}/")
    if page.status_code == 200:  # sales see their own customer's order, without the panel
        text = page.content.decode()
        assert 'id="order-margin"' not in text
        assert "Cost of goods" not in text
    assert client.get("/margin/").status_code == 403
    assert client.get("/margin/?format=csv").status_code == 403
    assert "/margin/" not in client.get("/").content.decode()
