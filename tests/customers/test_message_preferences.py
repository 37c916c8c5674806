"""How a customer hears from us: language, preferred channel and opt-out on the customer form,
kept by the roles that edit customers."""

import pytest

from customers.models import Customer
from oms.models import AuditLog
from tests.customers.test_customer_views import VALID
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def edit(client, customer, **changes):
    data = {**VALID, "code": customer.code, "payment_terms": customer.payment_terms, **changes}
    data["credit_limit"] = str(customer.credit_limit)
    return client.post(f"/customers/{customer.pk}/edit/", data)


@pytest.mark.parametrize("role", ["sales", "customer_service", "manager"])
def test_the_roles_that_edit_customers_set_the_preferences(client_for, role):
    customer = CustomerFactory()
    assert (customer.language, customer.preferred_channel) == ("zh-hans", "sms")  # defaults
    client = client_for(role)
    form = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert 'name="opt_out_non_essential"' in form
    response = edit(
        client, customer, language="en", preferred_channel="email", opt_out_non_essential="on"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert customer.language == "en"
    assert customer.preferred_channel == "email"
    assert customer.opt_out_non_essential
    changes = AuditLog.objects.get(action="customer.update").changes
    assert changes["language"] == ["zh-hans", "en"]
    assert changes["opt_out_non_essential"] == [False, True]


def test_a_form_without_the_preferences_keeps_them(client_for):
    customer = CustomerFactory(language="en", preferred_channel="email")
    assert edit(client_for("sales"), customer, name="新名字").status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.language, customer.preferred_channel) == (
        "新名字",
        "en",
        "email",
    )


def test_finance_may_not_change_them(client_for):
    customer = CustomerFactory()
    client = client_for("finance")
    assert client.get(f"/customers/{customer.pk}/edit/").status_code == 403
    assert edit(client, customer, language="en").status_code == 403
    credit_form = client.get(f"/customers/{customer.pk}/credit/").content.decode()
    assert 'id="id_language"' not in credit_form
    assert Customer.objects.get(pk=customer.pk).language == "zh-hans"


@pytest.mark.parametrize(
    ("field", "value"), [("language", "fr"), ("preferred_channel", "fax"), ("language", "x" * 50)]
)
def test_unknown_values_are_refused(client_for, field, value):
    customer = CustomerFactory()
    response = edit(client_for("sales"), customer, **{field: value})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    customer.refresh_from_db()
    assert getattr(customer, field) != value
