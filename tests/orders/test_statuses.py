"""Allocated (waiting in the pick queue) and picking (being picked) are two statuses."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from oms.errors import ServiceError
from orders import services
from orders.choices import ORDER_STATUS_TONES, ORDER_TRANSITIONS, EventKind, OrderStatus
from orders.filters import QueueFilterSet
from orders.models import Order
from orders.permissions import OrderAction, order_allowed_actions
from orders.selectors import backlog_by_status, priority_queue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = OrderStatus


def test_allocation_waits_in_the_queue_until_picking_starts(catalog):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 5)
    order = catalog.order(catalog.customer(), (product, 2))
    services.order_submit(actor=None, order=order)
    order.refresh_from_db()
    assert order.status == S.ALLOCATED
    assert order.picking_started_at is None
    warehouse = UserFactory(username="wh-s", role="warehouse")
    assert order in priority_queue(warehouse)
    assert OrderAction.START_PICKING in order_allowed_actions(order, warehouse)

    services.order_start_picking(actor=warehouse, order=order)
    order.refresh_from_db()
    assert order.status == S.PICKING
    assert order.picking_started_at is not None
    last = order.events.order_by("pk").last()
    assert (last.kind, last.from_status, last.to_status) == (
        EventKind.STATUS,
        S.ALLOCATED,
        S.PICKING,
    )
    assert OrderAction.START_PICKING not in order_allowed_actions(order, warehouse)
    with pytest.raises(ServiceError):
        services.order_amend(actor=None, order=order, changes={1: 3})


def test_allocated_has_its_own_tone_and_is_in_the_lists():
    assert ORDER_STATUS_TONES[S.ALLOCATED] not in {ORDER_STATUS_TONES[S.PICKING], "grey"}
    assert S.PICKING in ORDER_TRANSITIONS[S.ALLOCATED]
    # Allocated orders go to picking, and back-ordered ones that ship what they hold;
    # picking goes on to shipping, or straight to delivered when the customer collects it
    # at a pickup point (or is cancelled).
    assert {s for s, targets in ORDER_TRANSITIONS.items() if S.PICKING in targets} == {
        S.ALLOCATED,
        S.BACKORDERED,
    }
    assert ORDER_TRANSITIONS[S.PICKING] == {
        S.PARTIALLY_SHIPPED,
        S.SHIPPED,
        S.DELIVERED,
        S.CANCELLED,
    }
    queue_choices = [value for value, _ in QueueFilterSet().filters["status"].extra["choices"]]
    assert queue_choices.index(S.ALLOCATED) < queue_choices.index(S.PICKING)
    backlog = [
        row["status"] for row in backlog_by_status(UserFactory(username="mgr-s", role="manager"))
    ]
    assert backlog.index(S.ALLOCATED) == backlog.index(S.PICKING) - 1


def test_migration_moves_orders_nobody_started_picking(catalog):
    customer, product = catalog.customer(), catalog.product()
    waiting = catalog.order(customer, (product, 1))
    started = catalog.order(customer, (product, 1))
    Order.objects.filter(pk=waiting.pk).update(status=S.PICKING)
    Order.objects.filter(pk=started.pk).update(status=S.PICKING, picking_started_at=timezone.now())
    migration = importlib.import_module("orders.migrations.0005_allocated_status")
    migration.waiting_orders_to_allocated(django_apps, None)
    assert Order.objects.get(pk=waiting.pk).status == S.ALLOCATED
    assert Order.objects.get(pk=started.pk).status == S.PICKING
    migration.allocated_orders_to_picking(django_apps, None)
    assert Order.objects.get(pk=waiting.pk).status == S.PICKING
