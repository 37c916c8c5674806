import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from inventory import services
from inventory.choices import AdjustmentReason, MovementKind
from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_drift, low_stock
from tests.factories import ProductFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def level_of(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def test_receive_creates_the_stock_row_and_a_ledger_entry(product, warehouses, warehouse_user):
    sh, _gz = warehouses
    movement = services.stock_receive(
        actor=warehouse_user,
        product=product,
        warehouse=sh,
        quantity=12,
        reference="PO-1",
        bin_location="A01-1",
    )
    level = level_of(product, sh)
    assert (level.on_hand, level.reserved, level.bin_location) == (12, 0, "A01-1")
    assert (movement.kind, movement.quantity, movement.balance_after) == (
        MovementKind.RECEIPT,
        12,
        12,
    )
    assert movement.actor == warehouse_user
    assert movement.reference == "PO-1"
    services.stock_receive(actor=warehouse_user, product=product, warehouse=sh, quantity=3)
    assert level_of(product, sh).on_hand == 15
    assert list(ledger_drift()) == []


@pytest.mark.parametrize("quantity", [0, -5, 10_000_001, 2.5, "7", True])
def test_receive_rejects_bad_quantities_and_writes_nothing(product, warehouses, quantity):
    with pytest.raises(ValidationError) as error:
        services.stock_receive(
            actor=None, product=product, warehouse=warehouses[0], quantity=quantity
        )
    assert "quantity" in error.value.message_dict
    assert not StockMovement.objects.exists()
    assert not StockLevel.objects.filter(on_hand__gt=0).exists()


def test_receive_refuses_inactive_products_and_warehouses(warehouses):
    inactive = ProductFactory(is_active=False)
    with pytest.raises(ValidationError, match="inactive"):
        services.stock_receive(actor=None, product=inactive, warehouse=warehouses[0], quantity=1)
    closed = WarehouseFactory(is_active=False)
    with pytest.raises(ValidationError, match="inactive"):
        services.stock_receive(actor=None, product=ProductFactory(), warehouse=closed, quantity=1)
    assert not StockMovement.objects.exists()


def test_adjust_up_and_down_with_reason(product, warehouses):
    sh = warehouses[0]
    services.stock_receive(actor=None, product=product, warehouse=sh, quantity=10)
    services.stock_adjust(
        actor=None, product=product, warehouse=sh, quantity=-4, reason=AdjustmentReason.DAMAGED
    )
    movement = services.stock_adjust(
        actor=None,
        product=product,
        warehouse=sh,
        quantity=2,
        reason=AdjustmentReason.FOUND,
        note="behind shelf",
    )
    assert level_of(product, sh).on_hand == 8
    assert (movement.kind, movement.reason, movement.balance_after) == ("adjustment", "found", 8)


def test_adjust_may_not_make_on_hand_negative(product, warehouses):
    sh = warehouses[0]
    services.stock_receive(actor=None, product=product, warehouse=sh, quantity=3)
    with pytest.raises(ValidationError) as error:
        services.stock_adjust(actor=None, product=product, warehouse=sh, quantity=-4, reason="lost")
    assert "only 3 are there" in str(error.value)
    assert level_of(product, sh).on_hand == 3
    assert StockMovement.objects.count() == 1


def test_adjust_may_not_go_below_reserved(product, warehouses):
    sh = warehouses[0]
    services.stock_receive(actor=None, product=product, warehouse=sh, quantity=10)
    StockLevel.objects.filter(product=product, warehouse=sh).update(reserved=8)
    with pytest.raises(ValidationError, match="reserved"):
        services.stock_adjust(actor=None, product=product, warehouse=sh, quantity=-3, reason="lost")
    assert level_of(product, sh).on_hand == 10


def test_adjust_needs_a_known_reason(product, warehouses):
    with pytest.raises(ValidationError) as error:
        services.stock_adjust(
            actor=None, product=product, warehouse=warehouses[0], quantity=1, reason="whim"
        )
    assert "reason" in error.value.message_dict


def test_transfer_moves_free_stock_with_two_ledger_rows(product, warehouses):
    sh, gz = warehouses
    services.stock_receive(actor=None, product=product, warehouse=sh, quantity=10)
    out_move, in_move = services.stock_transfer(
        actor=None, product=product, source=sh, destination=gz, quantity=4
    )
    assert (level_of(product, sh).on_hand, level_of(product, gz).on_hand) == (6, 4)
    assert (out_move.kind, out_move.quantity, in_move.kind, in_move.quantity) == (
        "transfer_out",
        -4,
        "transfer_in",
        4,
    )
    assert out_move.reference == in_move.reference == "TR-SH1-GZ1"
    assert list(ledger_drift()) == []


def test_transfer_larger_than_available_is_refused(product, warehouses):
    sh, gz = warehouses
    services.stock_receive(actor=None, product=product, warehouse=sh, quantity=10)
    StockLevel.objects.filter(product=product, warehouse=sh).update(reserved=7)
    with pytest.raises(ValidationError, match="Only 3 units are available in SH1"):
        services.stock_transfer(actor=None, product=product, source=sh, destination=gz, quantity=4)
    assert level_of(product, sh).on_hand == 10
    assert StockMovement.objects.count() == 1


def test_transfer_to_the_same_warehouse_is_refused(product, warehouses):
    with pytest.raises(ValidationError) as error:
        services.stock_transfer(
            actor=None, product=product, source=warehouses[0], destination=warehouses[0], quantity=1
        )
    assert "destination" in error.value.message_dict


def test_a_failure_halfway_leaves_no_partial_ledger(product, warehouses, monkeypatch):
    """If writing the incoming half of a transfer fails, the outgoing half is rolled back too."""
    sh, gz = warehouses
    services.stock_receive(actor=None, product=product, warehouse=sh, quantity=10)
    real_move = services._move
    calls = []

    def failing_move(**kwargs):
        calls.append(kwargs["kind"])
        if kwargs["kind"] == MovementKind.TRANSFER_IN:
            raise RuntimeError("disk full")
        return real_move(**kwargs)

    monkeypatch.setattr(services, "_move", failing_move)
    with pytest.raises(RuntimeError):
        services.stock_transfer(actor=None, product=product, source=sh, destination=gz, quantity=4)
    assert calls == ["transfer_out", "transfer_in"]
    assert level_of(product, sh).on_hand == 10
    assert StockMovement.objects.count() == 1


def test_database_refuses_reserved_above_on_hand(product, warehouses):
    services.stock_receive(actor=None, product=product, warehouse=warehouses[0], quantity=5)
    with (
        pytest.raises(IntegrityError, match="stock_reserved_within_on_hand"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE inventory_stocklevel SET reserved = on_hand + 1")


def test_database_refuses_negative_reserved_and_on_hand(product, warehouses):
    services.stock_receive(actor=None, product=product, warehouse=warehouses[0], quantity=5)
    for sql in (
        "UPDATE inventory_stocklevel SET reserved = -1",
        "UPDATE inventory_stocklevel SET on_hand = -1",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


def test_ledger_is_append_only(product, warehouses):
    services.stock_receive(actor=None, product=product, warehouse=warehouses[0], quantity=5)
    for sql in (
        "UPDATE inventory_stockmovement SET quantity = 50",
        "DELETE FROM inventory_stockmovement",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert StockMovement.objects.get().quantity == 5


def test_ledger_check_reports_drift(product, warehouses, capsys):
    from django.core.management import CommandError, call_command

    services.stock_receive(actor=None, product=product, warehouse=warehouses[0], quantity=5)
    call_command("check_stock_ledger")
    StockLevel.objects.update(on_hand=7)  # a bug or a hand edit behind the ledger's back
    with pytest.raises(CommandError, match="1 stock levels differ"):
        call_command("check_stock_ledger")
    assert "off by +2" in capsys.readouterr().out


def test_low_stock_lists_available_below_safety(product, warehouses, warehouse_user):
    sh = warehouses[0]
    movement = services.stock_receive(actor=None, product=product, warehouse=sh, quantity=5)
    services.stock_level_update(
        actor=warehouse_user, stock_level=movement.stock_level, bin_location="B2", safety_stock=5
    )
    assert list(low_stock()) == []
    StockLevel.objects.update(reserved=1)
    [row] = low_stock()
    assert (row.available, row.shortfall) == (4, 1)


def test_stock_level_update_writes_audit(product, warehouses, warehouse_user):
    from oms.models import AuditLog

    movement = services.stock_receive(
        actor=None, product=product, warehouse=warehouses[0], quantity=5
    )
    services.stock_level_update(
        actor=warehouse_user, stock_level=movement.stock_level, bin_location="C3", safety_stock=2
    )
    entry = AuditLog.objects.get(action="stock_level.update")
    assert entry.actor == warehouse_user
    assert entry.changes == {"bin_location": ["", "C3"], "safety_stock": [0, 2]}
    with pytest.raises(ValidationError):
        services.stock_level_update(
            actor=None, stock_level=movement.stock_level, bin_location="", safety_stock=-1
        )
