"""Higher layers hear about cancelled, amended, held and resumed orders through orders.hooks."""

import pytest
from django.db import connection, transaction

from orders import hooks, services
from orders.choices import OrderStatus
from orders.models import Order

pytestmark = pytest.mark.django_db
S = OrderStatus


@pytest.fixture
def heard(monkeypatch):
    """Register a listener on every hook; each call is recorded with what the order looked
    like and whether it ran inside the service's transaction."""
    calls = []

    def listener(name):
        def callback(order, actor, *rest):
            calls.append(
                {
                    "hook": name,
                    "status": order.status,
                    "on_hold": order.on_hold,
                    "actor": actor,
                    "rest": rest,
                    "in_transaction": connection.in_atomic_block,
                }
            )

        return callback

    for name in ("order_cancelled", "order_amended", "order_held", "order_resumed"):
        monkeypatch.setattr(hooks, name, [listener(name)])
    return calls


def test_hold_resume_amend_and_cancel_are_heard(catalog, heard, user_with_role):
    sales = user_with_role("sales")
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 10)
    order = catalog.order(catalog.customer(), (product, 2))
    services.order_submit(actor=None, order=order)
    services.order_hold(actor=sales, order=order, reason="客户要求暂缓")
    services.order_resume(actor=sales, order=order)
    services.order_amend(actor=sales, order=order, changes={1: 3})
    services.order_cancel(actor=sales, order=order, reason="客户取消")

    assert [c["hook"] for c in heard] == [
        "order_held",
        "order_resumed",
        "order_amended",
        "order_cancelled",
    ]
    assert all(c["in_transaction"] and c["actor"] == sales for c in heard)
    held, resumed, amended, cancelled = heard
    assert held["on_hold"]
    assert not resumed["on_hold"]
    assert amended["status"] == S.ALLOCATED
    assert amended["rest"] == ([{"line": 1, "sku": product.sku, "from": 2, "to": 3}],)
    assert cancelled["status"] == S.CANCELLED


def test_a_failing_listener_rolls_the_change_back(catalog, monkeypatch):
    def refuse(order, actor):
        raise RuntimeError("shipment already with the carrier")

    monkeypatch.setattr(hooks, "order_cancelled", [refuse])
    order = catalog.order(catalog.customer(), (catalog.product(), 1))
    with pytest.raises(RuntimeError):
        services.order_cancel(actor=None, order=order, reason="x")
    assert Order.objects.get(pk=order.pk).status == S.DRAFT


def test_a_listener_defers_its_side_effects_to_commit(
    catalog, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        hooks,
        "order_held",
        [lambda order, actor: transaction.on_commit(lambda: sent.append(order.number))],
    )
    order = catalog.order(catalog.customer(), (catalog.product(), 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_hold(actor=None, order=order, reason="wait")
        assert sent == []
    assert sent == [order.number]
