import pytest
from django.core.management import call_command

from customers.models import Customer
from inventory.models import Product, StockLevel, StockMovement, Warehouse
from inventory.selectors import ledger_drift, low_stock
from oms.roles import ROLES

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_consistent(django_user_model):
    call_command("seed_demo", customers=40, stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (
        Warehouse.objects.count(),
        Product.objects.count(),
        Customer.objects.count(),
        StockLevel.objects.count(),
        StockMovement.objects.count(),
    )
    assert counts[0] >= 4 and counts[1] >= 190 and counts[2] == 40
    call_command("seed_demo", customers=40, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (
        Warehouse.objects.count(),
        Product.objects.count(),
        Customer.objects.count(),
        StockLevel.objects.count(),
        StockMovement.objects.count(),
    ) == counts
    assert list(ledger_drift()) == []
    assert low_stock().exists()
    assert Product.objects.filter(name_en__contains="ceiling").exists()
    assert Warehouse.objects.values("region").distinct().count() >= 4
    for role in ROLES:
        if role != "admin":
            assert django_user_model.objects.filter(groups__name=role).exists(), role
