"""The approvals queue lists what the user may decide now, by the same rule as the order
page's buttons (order_allowed_actions): not the orders they created, last edited or already
decided (separation of duties)."""

from decimal import Decimal

import pytest

from orders import services
from orders.choices import ApprovalCondition, OrderStatus
from orders.models import ApprovalRule, Order
from orders.permissions import OrderAction, order_allowed_actions
from tests.factories import UserFactory
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(db):
    """Three orders waiting for a manager: one mgr-a entered, one mgr-a last edited, one
    nobody of them touched."""
    ApprovalRule.objects.create(
        name="flag", condition=ApprovalCondition.MANUAL_FLAG, required_role="manager", level=1
    )
    catalog = Catalog()
    product = catalog.product()
    manager = UserFactory(username="mgr-a", role="manager")
    sales = UserFactory(username="sales-q", role="sales")
    created = catalog.order(catalog.customer(), (product, 1), actor=manager, needs_review=True)
    edited = catalog.order(catalog.customer(), (product, 1), actor=sales, needs_review=True)
    services.order_line_update(
        actor=manager, order=edited, line_no=1, quantity=2, discount_percent=Decimal(0)
    )
    other = catalog.order(catalog.customer(), (product, 1), actor=sales, needs_review=True)
    for order in (created, edited, other):
        services.order_submit(actor=sales, order=order)
    orders = {
        "created": Order.objects.get(pk=created.pk),
        "edited": Order.objects.get(pk=edited.pk),
        "other": Order.objects.get(pk=other.pk),
    }
    assert {o.status for o in orders.values()} == {OrderStatus.PENDING_REVIEW}
    return manager, orders


def listed(client) -> str:
    return client.get("/approvals/").content.decode()


def test_the_queue_lists_only_what_the_user_may_decide(queue, client):
    manager, orders = queue
    client.force_login(manager)
    page = listed(client)
    for name, order in orders.items():
        may = OrderAction.APPROVE in order_allowed_actions(order, manager)
        assert (f'href="/orders/{order.number}/"' in page) == may, name
    assert f'href="/orders/{orders["other"].number}/"' in page
    assert f'href="/orders/{orders["created"].number}/"' not in page
    assert f'href="/orders/{orders["edited"].number}/"' not in page
    assert "2 more orders at your level are not yours to decide" in page

    # Another manager may decide all three.
    client.force_login(UserFactory(username="mgr-b", role="manager"))
    page = listed(client)
    assert all(f'href="/orders/{o.number}/"' in page for o in orders.values())
    assert "not yours to decide" not in page


def test_the_queue_follows_the_self_approval_setting(queue, client, settings):
    settings.OMS_ALLOW_SELF_APPROVAL = True
    manager, orders = queue
    client.force_login(manager)
    page = listed(client)
    assert all(f'href="/orders/{o.number}/"' in page for o in orders.values())


def test_a_decided_level_leaves_the_queue_of_who_decided(queue, client):
    manager, orders = queue
    ApprovalRule.objects.create(
        name="flag-2", condition=ApprovalCondition.MANUAL_FLAG, required_role="manager", level=2
    )
    sales = UserFactory(username="sales-q", role="sales")
    order = services.order_create(
        actor=sales,
        customer=orders["other"].customer,
        lines=[services.LineRequest(orders["other"].lines.get().product, 1)],
        needs_review=True,
    )
    order = services.order_submit(actor=sales, order=order)
    services.order_approve(actor=manager, order=order)
    client.force_login(manager)
    assert f'href="/orders/{order.number}/"' not in listed(client)
    client.force_login(UserFactory(username="mgr-c", role="manager"))
    assert f'href="/orders/{order.number}/"' in listed(client)


def test_the_queue_costs_a_fixed_number_of_queries(queue, client, django_assert_max_num_queries):
    manager, _orders = queue
    client.force_login(manager)
    listed(client)
    with django_assert_max_num_queries(14):
        listed(client)
