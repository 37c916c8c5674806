"""The invoice PDF export gives a user only the invoices the invoice list shows them."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.billing.conftest import billing  # noqa: F401
from tests.billing.test_invoice_batch import invoiced_orders
from tests.factories import UserFactory
from tests.shipping.test_batch_print import text_of

pytestmark = pytest.mark.django_db


@override_settings(OMS_SALES_OWN_CUSTOMERS_ONLY=True)
def test_a_salesperson_exports_only_their_customers_invoices(
    billing,  # noqa: F811
    run_hooks,
    client,
    tmp_path,
):
    seller = UserFactory(username="seller", role="sales")
    mine = invoiced_orders(billing, run_hooks, 1, salesperson=seller)
    others = [i for i in invoiced_orders(billing, run_hooks, 3, first=5) if i not in mine]
    client.force_login(seller)
    response = client.post(reverse("billing:invoice_batch"), {"filters": ""})
    text = text_of(response.content, tmp_path)
    assert mine[0].number in text
    for invoice in others:
        assert invoice.number not in text


@pytest.mark.parametrize("role", ["warehouse", "logistics"])
def test_roles_without_invoices_are_refused(client, role):
    client.force_login(UserFactory(username=f"u-{role}", role=role))
    assert client.post(reverse("billing:invoice_batch"), {"filters": ""}).status_code == 403
