"""Field owners: credit terms are finance's, product pricing the manager's; other roles can
neither post those fields through a form nor change them through a service."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers.services import customer_update
from inventory.services import product_save
from oms.models import AuditLog
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

CUSTOMER_FORM = {
    "code": "T77777",
    "name": "杭州明辉灯饰有限公司",
    "kind": "business",
    "phone": "13912345678",
    "group": "wholesale",
    "tier": "gold",
    "region": "ZJ",
    "is_active": "on",
}


def test_sales_cannot_raise_a_credit_limit_or_lift_a_credit_hold(client_for):
    customer = CustomerFactory(code="T77777", credit_limit=Decimal("1000"), credit_hold=True)
    client = client_for("sales")
    form = {**CUSTOMER_FORM, "credit_limit": "999999", "payment_terms": "net_60"}
    response = client.post(f"/customers/{customer.pk}/edit/", form)  # credit_hold unticked
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("1000")
    assert customer.credit_hold
    assert customer.payment_terms != "net_60"
    page = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert 'name="credit_limit"' in page
    assert "Read-only for your role." in page


def test_the_service_refuses_credit_changes_from_other_roles(user_with_role):
    customer = CustomerFactory(credit_limit=Decimal("1000"))
    with pytest.raises(ValidationError) as refused:
        customer_update(
            actor=user_with_role("sales"), customer=customer, data={"credit_limit": Decimal(9)}
        )
    assert "credit_limit" in refused.value.message_dict
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("1000")


def test_finance_changes_credit_terms_only_and_it_is_audited(client_for):
    customer = CustomerFactory(credit_limit=Decimal("1000"), credit_hold=True)
    client = client_for("finance")
    assert client.get(f"/customers/{customer.pk}/edit/").status_code == 403
    response = client.post(
        f"/customers/{customer.pk}/credit/",
        {"credit_limit": "50000", "payment_terms": "net_30"},  # hold lifted
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.credit_limit == Decimal("50000")
    assert not customer.credit_hold
    entry = AuditLog.objects.get(object_id=str(customer.pk), action="customer.update")
    assert entry.changes["credit_limit"] == ["1000.00", "50000"] or entry.changes["credit_limit"]
    assert "credit_hold" in entry.changes


def test_sales_cannot_open_the_credit_page(client_for):
    customer = CustomerFactory()
    assert client_for("sales").get(f"/customers/{customer.pk}/credit/").status_code == 403


def test_warehouse_keeps_weights_but_not_prices_or_tax(client_for, user_with_role):
    product = ProductFactory(standard_cost=Decimal("50.00"), tax_class_id="standard")
    with pytest.raises(ValidationError) as refused:
        product_save(
            actor=user_with_role("warehouse"),
            product=product,
            data={"standard_cost": Decimal("1.00"), "tax_class": "exempt"},
        )
    assert {"standard_cost", "tax_class"} <= refused.value.message_dict.keys()
    saved = product_save(
        actor=user_with_role("warehouse", username="wh2"),
        product=product,
        data={"weight_kg": Decimal("2.000")},
    )
    assert saved.weight_kg == Decimal("2.000")
    assert saved.standard_cost == Decimal("50.00")


def test_manager_changes_prices(user_with_role):
    product = ProductFactory(standard_cost=Decimal("50.00"))
    saved = product_save(
        actor=user_with_role("manager"), product=product, data={"standard_cost": Decimal("55")}
    )
    assert saved.standard_cost == Decimal("55")


def test_warehouse_keeps_how_goods_are_packed_and_sales_may_not(user_with_role):
    product = ProductFactory()
    with pytest.raises(ValidationError) as refused:
        product_save(actor=user_with_role("sales"), product=product, data={"fragile": True})
    assert "fragile" in refused.value.message_dict
    product.refresh_from_db()
    assert not product.fragile
    saved = product_save(
        actor=user_with_role("warehouse"),
        product=product,
        data={"fragile": True, "packing_note": "气泡膜包裹 / bubble wrap"},
    )
    assert saved.fragile
    assert saved.packing_note == "气泡膜包裹 / bubble wrap"
    entry = AuditLog.objects.get(object_id=str(product.pk), action="product.update")
    assert {"fragile", "packing_note"} <= entry.changes.keys()
