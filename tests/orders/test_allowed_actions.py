"""The order page offers exactly the actions whose services succeed, for every status, with and
without a hold, for every role: the buttons and the guards come from one rule set."""

import re
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.utils import timezone

from oms.roles import ROLES
from orders import services
from orders.choices import HOLDABLE_STATUSES, OrderStatus
from orders.errors import InvalidTransition
from orders.models import Approval, Order
from orders.permissions import OrderAction, order_allowed_actions
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = OrderStatus

# One call per action, as the action's view makes it.
CALLS: dict[OrderAction, Callable] = {
    OrderAction.EDIT: lambda o, u: services.order_update_draft(
        actor=u, order=o, data={"notes": "walk"}
    ),
    OrderAction.SUBMIT: lambda o, u: services.order_submit(actor=u, order=o),
    OrderAction.APPROVE: lambda o, u: services.order_approve(actor=u, order=o, note="ok"),
    OrderAction.REJECT: lambda o, u: services.order_reject(actor=u, order=o, note="price"),
    OrderAction.HOLD: lambda o, u: services.order_hold(actor=u, order=o, reason="wait"),
    OrderAction.RESUME: lambda o, u: services.order_resume(actor=u, order=o),
    OrderAction.CANCEL: lambda o, u: services.order_cancel(actor=u, order=o, reason="walk"),
    OrderAction.AMEND: lambda o, u: services.order_amend(actor=u, order=o, changes={1: 3}),
    OrderAction.BOOST: lambda o, u: services.order_boost(actor=u, order=o, boost=5),
    OrderAction.START_PICKING: lambda o, u: services.order_start_picking(actor=u, order=o),
}

# (status, on hold, picking started): every status; a hold only where one can be placed;
# picking both before and after the warehouse started.
CASES = [
    *[(status, False, False) for status in S],
    *[(status, True, False) for status in S if status in HOLDABLE_STATUSES],
    (S.PICKING, False, True),
    (S.PICKING, True, True),
]


def actions_the_services_allow(order: Order, user) -> set[str]:
    """Call every action's service on the order; a success is rolled back before the next.

    A refused call needs no rollback of ours: each service runs in its own atomic block,
    which undoes its work when it raises.
    """
    allowed = set()
    savepoint = transaction.savepoint()
    for action in OrderAction:
        try:
            CALLS[action](order, user)
        except (InvalidTransition, PermissionDenied):
            continue  # the guard refused; any other error fails the test
        allowed.add(str(action))
        transaction.savepoint_rollback(savepoint)
    transaction.savepoint_commit(savepoint)
    return allowed


def order_in(catalog, customer, product, status, on_hold, picking_started) -> Order:
    order = catalog.order(customer, (product, 2))
    if status == S.ALLOCATED:
        # Allocated for real: starting to pick puts its reservations into shipments.
        services.order_submit(actor=None, order=order)
    Order.objects.filter(pk=order.pk).update(
        status=status,
        on_hold=on_hold,
        hold_reason="held" if on_hold else "",
        picking_started_at=timezone.now() if picking_started else None,
        review_round=1 if status == S.PENDING_REVIEW else 0,
    )
    if status == S.PENDING_REVIEW:
        # Level 1 waits for a reviewer or finance; level 2 for a manager.
        for level, role in [(1, "reviewer"), (1, "finance"), (2, "manager")]:
            Approval.objects.create(
                order=order, round=1, level=level, required_role=role, reason="walk"
            )
    return Order.objects.get(pk=order.pk)


def buttons(client, order) -> set[str]:
    html = client.get(f"/orders/{order.number}/").content.decode()
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def test_page_buttons_are_exactly_the_actions_the_services_allow(catalog):
    customer, product = catalog.customer(), catalog.product()
    catalog.stock(product, catalog.shanghai, 100)
    users = {role: UserFactory(username=f"walk-{role}", role=role) for role in sorted(ROLES)}
    clients = {role: Client() for role in users}
    for role, client in clients.items():
        client.force_login(users[role])
    mismatches, offered = [], set()
    for status, on_hold, picking_started in CASES:
        order = order_in(catalog, customer, product, status, on_hold, picking_started)
        for role, user in users.items():
            shown = buttons(clients[role], order)
            allowed = actions_the_services_allow(order, user)
            if shown != allowed:
                mismatches.append((status, on_hold, picking_started, role, shown, allowed))
            assert {str(a) for a in order_allowed_actions(order, user)} == shown
            offered |= {(role, a) for a in shown}
    assert mismatches == []
    # The walk reached every action for someone, so the rules are not vacuous.
    assert {a for _role, a in offered} == {str(a) for a in OrderAction}


@pytest.mark.parametrize("status", [S.SHIPPED, S.IN_TRANSIT, S.DELIVERED, S.COMPLETED])
def test_goods_with_the_carrier_are_not_offered_a_hold(catalog, client, status):
    order = order_in(catalog, catalog.customer(), catalog.product(), status, False, False)
    client.force_login(UserFactory(username="walk-sales", role="sales"))
    assert "hold" not in buttons(client, order)
    with pytest.raises(InvalidTransition, match="cannot be held"):
        services.order_hold(actor=None, order=order, reason="too late")


def test_the_system_needs_no_permission_but_follows_the_rules(catalog):
    order = order_in(catalog, catalog.customer(), catalog.product(), S.DRAFT, True, False)
    allowed = order_allowed_actions(order, None)
    assert OrderAction.RESUME in allowed
    assert OrderAction.CANCEL in allowed
    assert OrderAction.SUBMIT not in allowed  # held
    assert OrderAction.APPROVE not in allowed  # only a person approves
