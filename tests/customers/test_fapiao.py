"""Fapiao details on the customer: the unified social credit code with its check character,
what a special invoice needs, and who may change them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from customers.fapiao import customer_fapiao_update
from oms.validators import validate_taxpayer_id
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = "91110000600037341L"


@pytest.mark.parametrize(
    "value", [VALID, "91110000600037341l", " 9111 0000 6000 3734 1L ", "91310000MA1FL4XQ3A"]
)
def test_valid_codes_pass(value):
    validate_taxpayer_id(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91110000600037341X", "check character"),
        ("91110000600037341", "18-character"),
        ("911100006000373411L", "18-character"),
        ("ABCDEFGHIJKLMNOPQR", "18-character"),
        ("", "18-character"),
    ],
)
def test_wrong_codes_are_refused_with_a_reason(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_taxpayer_id(value)


def test_finance_sets_the_details_and_they_are_normalised_and_audited(user_with_role):
    customer = CustomerFactory(kind="business")
    finance = user_with_role("finance")
    saved = customer_fapiao_update(
        actor=finance,
        customer=customer,
        data={"taxpayer_id": " 91110000600037341l ", "fapiao_title": "北京示例有限公司"},
    )
    assert saved.taxpayer_id == VALID
    assert saved.fapiao_problem() is None
    assert saved.invoice_title == "北京示例有限公司"


def test_a_special_invoice_needs_the_bank_details(user_with_role):
    customer = CustomerFactory(kind="business", taxpayer_id=VALID)
    with pytest.raises(ValidationError) as refused:
        customer_fapiao_update(
            actor=user_with_role("finance"), customer=customer, data={"fapiao_type": "special"}
        )
    assert {"fapiao_address", "fapiao_phone", "fapiao_bank", "fapiao_account"} <= set(
        refused.value.message_dict
    )


def test_a_business_without_a_taxpayer_id_cannot_be_invoiced():
    assert "no taxpayer id" in CustomerFactory(kind="business").fapiao_problem()
    assert CustomerFactory(kind="individual").fapiao_problem() is None


def test_sales_may_not_change_fapiao_details(user_with_role):
    customer = CustomerFactory(kind="business")
    with pytest.raises((PermissionDenied, ValidationError)):
        customer_fapiao_update(
            actor=user_with_role("sales"), customer=customer, data={"taxpayer_id": VALID}
        )


def test_the_fapiao_page_saves_and_shows_errors_in_chinese(client_for):
    customer = CustomerFactory(kind="business")
    client = client_for("finance")
    response = client.post(
        f"/customers/{customer.pk}/fapiao/",
        {"fapiao_type": "general", "taxpayer_id": "91110000600037341X"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    assert "校验" in response.content.decode()
    response = client.post(
        f"/customers/{customer.pk}/fapiao/", {"fapiao_type": "general", "taxpayer_id": VALID}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.taxpayer_id == VALID
    assert UserFactory  # the role fixture made the user
