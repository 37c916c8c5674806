"""The demo timeline every seeder shares, the bulk backdating helpers and DEMO_ORDERS."""

import random
from datetime import date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from inventory.models import StockMovement
from inventory.seeders import ledger_backdate
from inventory.services import stock_receive
from oms.demo import SPRING_FESTIVAL, SeedContext, backdate, season_factor
from oms.registry import Seeder
from tests.factories import ProductFactory, WarehouseFactory


def context(**kwargs) -> SeedContext:
    return SeedContext(customers=0, orders=0, stdout=None, **kwargs)


def test_the_season_has_its_peaks_and_holidays():
    ordinary = season_factor(date(2026, 9, 9))  # a Wednesday in September
    assert season_factor(date(2026, 11, 11)) > 4 * ordinary
    assert season_factor(date(2026, 11, 4)) > 2 * ordinary
    festival = SPRING_FESTIVAL[2026]
    assert season_factor(festival - timedelta(days=14)) > 2 * ordinary
    assert season_factor(festival + timedelta(days=2)) < 0.5 * ordinary
    assert season_factor(date(2026, 9, 13)) < ordinary  # a Sunday


def test_moments_fill_the_history_in_order():
    demo = context()
    moments = [demo.moment(u / 100) for u in range(100)]
    assert moments == sorted(moments)
    assert demo.start <= moments[0]
    assert moments[-1] <= demo.now
    assert (moments[-1] - moments[0]).days > 500
    spread = [demo.spread(n) for n in range(1, 1001)]
    assert all(0 <= u < 1 for u in spread)
    assert len(set(spread)) == 1000


def test_later_moves_into_office_hours():
    demo = context()
    rng = random.Random(1)
    saturday_evening = datetime(2026, 11, 28, 20, 0, tzinfo=timezone.get_current_timezone())
    monday = demo.later(saturday_evening, 0, rng)
    assert monday.weekday() == 0
    assert 8 <= monday.hour < 11
    tuesday_morning = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.get_current_timezone())
    assert demo.later(tuesday_morning, 3, rng) == tuesday_morning + timedelta(hours=3)


@pytest.mark.django_db
def test_backdate_and_ledger_backdate_rewrite_in_bulk(warehouse_user):
    product, warehouse = ProductFactory(), WarehouseFactory()
    long_ago = timezone.now() - timedelta(days=400)
    assert backdate(type(product), "created_at", {product.pk: long_ago}) == 1
    product.refresh_from_db()
    assert product.created_at == long_ago

    movement = stock_receive(
        actor=warehouse_user, product=product, warehouse=warehouse, quantity=5, reference="WO-1"
    )
    ledger_backdate({movement.pk: long_ago}, {"WO-1": "WO-2"})
    movement.refresh_from_db()
    assert (movement.created_at, movement.reference) == (long_ago, "WO-2")
    # The ledger is append-only again afterwards.
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).update(note="changed")


@pytest.fixture
def seen_sizes(monkeypatch):
    seen = []
    monkeypatch.setattr(
        "oms.management.commands.seed_demo.seeders_in_order",
        lambda: [Seeder("probe", lambda context: seen.append(context.orders))],
    )
    return seen


def test_demo_orders_comes_from_the_environment(monkeypatch, seen_sizes):
    monkeypatch.delenv("DEMO_ORDERS", raising=False)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    monkeypatch.setenv("DEMO_ORDERS", "200")
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", orders=50, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert seen_sizes == [2000, 200, 50]
    monkeypatch.setenv("DEMO_ORDERS", "many")
    with pytest.raises(CommandError, match="DEMO_ORDERS"):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
