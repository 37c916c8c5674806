import pytest
from django.core.management import call_command

from customers.models import Customer
from inventory.models import Product, StockLevel, StockMovement, Warehouse
from inventory.selectors import ledger_drift, low_stock
from oms.roles import ROLES

# Demo orders are written by several threads, each with its own connection: real commits.
pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_demo_is_idempotent_and_consistent(django_user_model):
    call_command("seed_demo", customers=40, orders=120, stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (
        Warehouse.objects.count(),
        Product.objects.count(),
        Customer.objects.count(),
        StockLevel.objects.count(),
        StockMovement.objects.count(),
    )
    assert counts[0] >= 4 and counts[1] >= 190 and counts[2] == 40
    call_command("seed_demo", customers=40, orders=120, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (
        Warehouse.objects.count(),
        Product.objects.count(),
        Customer.objects.count(),
        StockLevel.objects.count(),
        StockMovement.objects.count(),
    ) == counts
    assert list(ledger_drift()) == []
    from orders.models import Order
    from orders.selectors import reservation_drift

    statuses = set(Order.objects.values_list("status", flat=True))
    assert {"draft", "allocated", "picking", "cancelled", "pending_review"} <= statuses, statuses
    assert Order.objects.count() == 120
    assert list(reservation_drift()) == []
    assert low_stock().exists()
    assert Product.objects.filter(name_en__contains="ceiling").exists()
    assert Warehouse.objects.values("region").distinct().count() >= 4
    for role in ROLES:
        if role != "admin":
            assert django_user_model.objects.filter(groups__name=role).exists(), role
