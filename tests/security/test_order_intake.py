"""What an insider or a careless click could do with order intake: amend an approved order
past every limit, or reach another customer's order through its external reference."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orders import services
from orders.choices import ApprovalCondition, OrderStatus
from orders.models import Approval, ApprovalRule, Order
from orders.services import LineRequest
from tests.factories import UserFactory
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db
S = OrderStatus


@pytest.fixture
def catalog(db):
    return Catalog()


@pytest.fixture
def people(db):
    return {
        "sales": UserFactory(username="sales1", role="sales"),
        "reviewer": UserFactory(username="rev-a", role="reviewer"),
        "manager": UserFactory(username="mgr-a", role="manager"),
    }


@pytest.fixture
def approved(catalog, people):
    """An order above the amount threshold, approved and allocated."""
    ApprovalRule.objects.create(
        name="big",
        condition=ApprovalCondition.AMOUNT_AT_LEAST,
        required_role="reviewer",
        level=1,
        threshold=Decimal("1000"),
    )
    product = catalog.product("100.00")
    catalog.stock(product, catalog.shanghai, 100)
    order = catalog.order(catalog.customer(), (product, 20))
    services.order_submit(actor=people["sales"], order=order)
    services.order_approve(actor=people["reviewer"], order=order)
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    return order


def test_raising_an_approved_order_sends_it_back_to_review_with_the_diff(approved, people):
    services.order_amend(actor=people["sales"], order=approved, changes={1: 90})
    approved.refresh_from_db()
    assert approved.status == S.PENDING_REVIEW
    approval = Approval.objects.get(order=approved, round=approved.review_round)
    codes = [r["code"] for r in approval.reasons]
    assert codes == ["amount_over", "amended"]
    text = approval.reason_text()
    assert "line 1" in text
    assert "20 → 90" in text
    assert "total" in text
    # The approver sees it in the queue.
    from django.test import Client

    client = Client()
    client.force_login(people["reviewer"])
    queue = client.get("/approvals/").content.decode()
    assert approved.number in queue
    assert "20 → 90" in queue


def test_lowering_an_approved_order_needs_no_new_approval(approved, people):
    services.order_amend(actor=people["sales"], order=approved, changes={1: 15})
    approved.refresh_from_db()
    assert approved.status == S.ALLOCATED


@pytest.mark.parametrize("quantity", [5_000_000, 1_000_001])
def test_an_amendment_keeps_the_quantity_limit(approved, people, quantity):
    with pytest.raises(ValidationError, match="at most"):
        services.order_amend(actor=people["sales"], order=approved, changes={1: quantity})
    approved.refresh_from_db()
    assert approved.status == S.ALLOCATED
    assert approved.lines.get().quantity == 20


def test_an_amendment_keeps_the_discount_cap(approved, people, catalog):
    with pytest.raises(ValidationError, match="at most 10"):
        services.order_amend(
            actor=people["sales"],
            order=approved,
            changes={},
            additions=[LineRequest(catalog.product(), 1, Decimal("50"))],
        )
    assert approved.lines.count() == 1


def test_an_amendment_cannot_add_to_an_order_of_a_customer_on_credit_hold(approved, people):
    approved.customer.credit_hold = True
    approved.customer.save()
    with pytest.raises(ValidationError, match="credit hold"):
        services.order_amend(actor=people["sales"], order=approved, changes={1: 21})


def test_an_amendment_over_the_credit_limit_goes_to_review(catalog, people):
    ApprovalRule.objects.create(
        name="credit",
        condition=ApprovalCondition.CREDIT_EXCEEDED,
        required_role="manager",
        level=1,
    )
    product = catalog.product("100.00")
    catalog.stock(product, catalog.shanghai, 100)
    customer = catalog.customer(payment_terms="net_30", credit_limit=Decimal("1000"))
    order = catalog.order(customer, (product, 2))
    services.order_submit(actor=people["sales"], order=order)
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    services.order_amend(actor=people["sales"], order=order, changes={1: 50})
    order.refresh_from_db()
    assert order.status == S.PENDING_REVIEW


# ------------------------------------------------------------------ external references


def test_a_back_office_reference_never_lands_on_another_customers_order(catalog, people):
    product = catalog.product()
    first_customer, second_customer = catalog.customer(), catalog.customer()
    first = catalog.order(
        first_customer, (product, 1), actor=people["sales"], external_reference="PO-AUDIT-1"
    )
    second = catalog.order(
        second_customer, (product, 2), actor=people["sales"], external_reference="PO-AUDIT-1"
    )
    assert second.pk != first.pk
    assert second.customer == second_customer
    assert Order.objects.count() == 2


def test_the_same_customer_reference_twice_names_the_order(catalog, people):
    product, customer = catalog.product(), catalog.customer()
    first = catalog.order(customer, (product, 1), external_reference="PO-9")
    with pytest.raises(ValidationError) as refused:
        catalog.order(customer, (product, 1), external_reference="PO-9")
    assert first.number in refused.value.message_dict["external_reference"][0]
    assert Order.objects.count() == 1


def test_the_start_form_names_the_order_that_has_the_reference(catalog, client_for):
    customer = catalog.customer()
    first = catalog.order(customer, (catalog.product(), 1), external_reference="PO-AUDIT-1")
    client = client_for("sales")
    response = client.post(
        "/orders/new/",
        {"customer": customer.code, "channel": "back_office", "external_reference": "PO-AUDIT-1"},
    )
    assert response.status_code in (200, 422)
    assert first.number in response.content.decode()
    assert Order.objects.count() == 1


def test_a_channel_id_is_unique_per_channel_not_per_customer(catalog):
    product = catalog.product()
    first = catalog.order(catalog.customer(), (product, 1), channel="api", external_reference="T1")
    again = catalog.order(catalog.customer(), (product, 1), channel="api", external_reference="T1")
    other = catalog.order(
        catalog.customer(), (product, 1), channel="web_shop", external_reference="T1"
    )
    assert again.pk == first.pk
    assert other.pk != first.pk


def test_the_amend_page_sends_a_raised_order_back_to_review(approved, client_for):
    client = client_for("sales")
    response = client.post(
        f"/orders/{approved.number}/amend/",
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-line_no": "1",
            "lines-0-quantity": "90",
            "note": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    approved.refresh_from_db()
    assert approved.status == S.PENDING_REVIEW
    assert "20 → 90" in response.content.decode()
