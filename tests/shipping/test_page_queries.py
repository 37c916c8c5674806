"""Query counts pinned on the shipments list, the shipment page (in the warehouse, with the
carrier, returned) and the wave page with its pick list: more rows never cost more queries."""

from decimal import Decimal

import pytest

from shipping import returns, services
from shipping.permissions import ShipmentAction
from tests.helpers import page_queries


@pytest.fixture
def stocked(shipping):
    products = [shipping.product(weight_kg=Decimal("0.400")) for _ in range(6)]
    for product in products:
        shipping.stock(product, shipping.shanghai, 50)
    return products


def test_wave_page_and_pick_list_queries_are_pinned(client_for, shipping, stocked):
    client = client_for("warehouse")
    [first] = shipping.packed(shipping.allocated_order((stocked[0], 1)))
    wave = f"/shipments/wave/?warehouse={shipping.shanghai.pk}&limit=50"
    services.shipment_dispatch(actor=None, shipment=first, details=shipping.details("W0"))
    one = [shipping.picked(shipping.allocated_order((stocked[1], 1)))[0]]
    few_page = page_queries(client, wave)
    few_list = page_queries(
        client, "/shipments/wave/pick-list/?" + "&".join(f"shipment={s.number}" for s in one)
    )
    many = one + [
        shipping.picked(shipping.allocated_order(*[(p, 2) for p in stocked]))[0] for _ in range(8)
    ]
    many_page = page_queries(client, wave)
    many_list = page_queries(
        client, "/shipments/wave/pick-list/?" + "&".join(f"shipment={s.number}" for s in many)
    )
    assert len(many_page) == len(few_page)
    assert len(many_list) == len(few_list)
    # Session, user, permissions (2), groups, the warehouse checked and listed by the form,
    # the slot times of the filter, the candidates.
    assert len(many_page) == 9
    # Session, user, permissions (2), groups, the chosen shipments, their lines, the bins.
    assert len(many_list) <= 9


def test_shipment_page_queries_in_every_part_of_its_life(client_for, shipping, stocked):
    client = client_for("admin")
    small = shipping.allocated_order((stocked[0], 1))
    [one_line] = shipping.picked(small)
    big = shipping.allocated_order(*[(p, 1) for p in stocked])
    [six_lines] = shipping.picked(big)
    in_warehouse = len(page_queries(client, one_line.get_absolute_url()))
    assert len(page_queries(client, six_lines.get_absolute_url())) == in_warehouse
    for shipment, tracking in ((one_line, "P1"), (six_lines, "P2")):
        services.shipment_pack(actor=None, shipment=shipment)
        services.shipment_dispatch(
            actor=None, shipment=shipment, details=shipping.details(tracking)
        )
    on_the_way = len(page_queries(client, one_line.get_absolute_url()))
    assert len(page_queries(client, six_lines.get_absolute_url())) == on_the_way
    for shipment in (one_line, six_lines):
        services.shipment_record_progress(
            actor=None, shipment=shipment, action=ShipmentAction.RETURNED
        )
        returns.shipment_receive_return(actor=None, shipment=shipment)
    back = len(page_queries(client, one_line.get_absolute_url()))
    assert len(page_queries(client, six_lines.get_absolute_url())) == back
    # Pinned; the carrier choice is priced in the warehouse, the attention card on the way,
    # the returned parcel's card when it came back; the delivery card reads the slot booking.
    assert in_warehouse <= 15
    assert on_the_way <= 14
    assert back <= 13


def test_shipments_list_queries_are_pinned(client_for, shipping, stocked):
    client = client_for("manager")
    shipping.picked(shipping.allocated_order((stocked[0], 1)))
    few = page_queries(client, "/shipments/")
    for product in stocked:
        shipping.picked(shipping.allocated_order((product, 1)))
    many = page_queries(client, "/shipments/?per_page=100")
    assert len(many) == len(few)
    assert not many.row_counts
    # Session, user, permissions (2), groups, carriers, warehouses and slot times of the
    # filter, the rows.
    assert len(many) == 9
