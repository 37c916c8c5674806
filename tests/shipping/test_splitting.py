"""Splitting a shipment: quantities and reservations follow exactly, the books stay balanced
through both dispatches, the pick and packing lists follow, bad input changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from inventory.models import StockLevel, StockMovement
from oms.texts import text_of
from orders.models import Allocation, OrderEvent
from shipping import services
from shipping.documents import DOCUMENTS, shipment_document_context
from shipping.models import Shipment, ShipmentEvent
from shipping.permissions import ShipmentError
from shipping.splitting import shipment_split
from tests.shipping.test_services import assert_books_balance, fresh


@pytest.fixture
def picking(shipping):
    """A shipment being picked: 5 of a, 2 of b, all from Shanghai."""
    a, b = shipping.product(), shipping.product()
    order = shipping.allocated_order(
        (a, 5), (b, 2), stock=[(a, shipping.shanghai, 5), (b, shipping.shanghai, 2)]
    )
    [shipment] = shipping.picked(order)
    return shipment


def units(shipment):
    return {line.product.sku: line.quantity for line in shipment.lines.select_related("product")}


def test_part_of_a_line_and_a_whole_line_move(picking, shipping):
    line_a, line_b = picking.lines.order_by("pk")
    sku_a, sku_b = line_a.product.sku, line_b.product.sku
    created = shipment_split(actor=None, shipment=picking, quantities={line_a.pk: 2, line_b.pk: 2})
    assert units(picking) == {sku_a: 3}
    assert units(created) == {sku_a: 2, sku_b: 2}
    assert (created.order_id, created.warehouse_id, fresh(created).status) == (
        picking.order_id,
        picking.warehouse_id,
        "picking",
    )
    # Reservations do not move: the new lines draw from the same open allocations.
    for line in created.lines.all():
        [allocation] = line.allocations.all()
        assert allocation.line_id == line.order_line_id
        assert allocation.issued_at is None
    assert_books_balance()
    # Declared values follow the goods.
    order_lines = {li.product.sku: li for li in picking.order.lines.select_related("product")}
    assert fresh(created).declared_value == order_lines[sku_a].line_total * 2 / 5 + (
        order_lines[sku_b].line_total
    )
    # Timeline of both shipments and the order.
    assert ShipmentEvent.objects.get(shipment=picking, kind="split").data == {
        "units": 4,
        "to": created.number,
    }
    note = OrderEvent.objects.get(order=picking.order, kind="shipping")
    assert text_of("order_note", note.message) == (
        f"4 units of shipment {picking.number} moved to the new shipment {created.number}."
    )
    # The documents follow the lines.
    context = shipment_document_context(fresh(created), DOCUMENTS["pick-list"])
    assert sorted((row.sku, row.quantity) for row in context["rows"]) == sorted(
        [(sku_a, 2), (sku_b, 2)]
    )


def test_both_halves_dispatch_and_the_books_stay_exact(picking, shipping):
    line_a, _line_b = picking.lines.order_by("pk")
    created = shipment_split(actor=None, shipment=picking, quantities={line_a.pk: 2})
    for n, shipment in enumerate((created, picking)):
        services.shipment_pack(actor=None, shipment=shipment)
        services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details(f"S{n}"))
        assert_books_balance()
    issued = Allocation.objects.filter(line__order=picking.order, issued_at__isnull=False)
    assert sum(issued.values_list("quantity", flat=True)) == 7
    assert not Allocation.objects.filter(line__order=picking.order, issued_at__isnull=True)
    moved = StockMovement.objects.filter(kind="issue", reference=created.number)
    assert abs(sum(moved.values_list("quantity", flat=True))) == 2
    assert set(StockLevel.objects.values_list("reserved", flat=True)) == {0}
    order = fresh(picking.order)
    assert order.status == "shipped"


def test_after_a_split_no_shipment_is_made_twice(picking):
    line_a, _ = picking.lines.order_by("pk")
    shipment_split(actor=None, shipment=picking, quantities={line_a.pk: 1})
    assert services.shipments_create_for_order(actor=None, order=picking.order) == []
    assert Shipment.objects.filter(order=picking.order).count() == 2


@pytest.mark.parametrize(
    "quantities",
    [{}, {"a": 0}, {"a": 6}, {"a": -1}, {"a": 5, "b": 2}, {"other": 1}],
)
def test_bad_quantities_change_nothing(picking, quantities):
    line_a, line_b = picking.lines.order_by("pk")
    ids = {"a": line_a.pk, "b": line_b.pk, "other": 10**9}
    with pytest.raises(ValidationError):
        shipment_split(
            actor=None,
            shipment=picking,
            quantities={ids[key]: value for key, value in quantities.items()},
        )
    assert Shipment.objects.filter(order=picking.order).count() == 1
    assert sorted(units(picking).values()) == [2, 5]


def test_a_packed_shipment_is_not_split(picking):
    services.shipment_pack(actor=None, shipment=picking)
    line_a, _ = picking.lines.order_by("pk")
    with pytest.raises(ShipmentError, match="only a waiting or picking"):
        shipment_split(actor=None, shipment=picking, quantities={line_a.pk: 1})
