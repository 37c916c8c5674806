"""Demo merged parcels and a split shipment: a repeat customer's orders to one address leave
as one parcel (one dispatched, one still open with a third order proposed to join it), and a
shipment split because part of it waits for a later truck. The split's first half is left
being picked, ready for the pack station."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from inventory.models import StockLevel
from oms.demo import SeedContext
from oms.errors import ServiceError
from orders import services as order_services
from orders.models import Order
from orders.services import LineRequest
from shipping import merging, services
from shipping.models import MergedParcel, Shipment
from shipping.splitting import shipment_split


def _stocked_levels(warehouse_id: int | None = None) -> list[StockLevel]:
    """Products with plenty of free stock in one warehouse (the busiest first)."""
    levels = StockLevel.objects.filter(
        on_hand__gte=F("reserved") + 40, product__made_to_order=False, product__is_active=True
    ).select_related("product", "warehouse")
    if warehouse_id is not None:
        levels = levels.filter(warehouse_id=warehouse_id)
    return list(levels.order_by("warehouse_id", "pk")[:200])


def _orders_for(context: SeedContext, customer, lines, count: int) -> list[Shipment]:
    """`count` new confirmed orders of the customer, each put into shipments; their shipments."""
    shipments: list[Shipment] = []
    for _ in range(count):
        order = order_services.order_create(
            actor=context.users["manager"],
            customer=customer,
            lines=[LineRequest(product, quantity) for product, quantity in lines],
        )
        order = order_services.order_submit(actor=context.users["manager"], order=order)
        if order.status != "allocated":
            return []
        shipments += services.shipments_create_for_order(
            actor=context.users["warehouse"], order=order
        )
    return shipments


def _units(shipment: Shipment) -> int:
    return sum(shipment.lines.values_list("quantity", flat=True))


def _pick_and_pack(context: SeedContext, shipment: Shipment) -> None:
    shipment = services.shipment_start_picking(actor=context.users["warehouse"], shipment=shipment)
    services.shipment_pack(actor=context.users["warehouse"], shipment=shipment)


def seed_merge_demo(context: SeedContext) -> None:
    if MergedParcel.objects.exists():
        return
    # All or nothing: a run that fails half-way leaves no parcel to make the next run skip.
    with transaction.atomic():
        _seed(context)


def _seed(context: SeedContext) -> None:
    levels = _stocked_levels()
    if len(levels) < 3:
        context.say("merged parcels: not enough free stock for the demo")
        return
    warehouse = levels[0].warehouse
    levels = _stocked_levels(warehouse.pk)
    products = [level.product for level in levels[:3]]
    customers = list(
        Order.objects.filter(
            external_reference__startswith="DEMO-",
            payment_terms__in=["net_30", "prepaid", "net_15"],
            shipments__warehouse=warehouse,
        )
        .values_list("customer", flat=True)
        .distinct()[:6]
    )
    from customers.models import Customer

    made = []
    warehouse_user, logistics = context.users["warehouse"], context.users["logistics"]
    for customer in Customer.objects.filter(pk__in=customers).order_by("pk"):
        if len(made) == 3:
            break
        try:
            if not made:  # two orders, one parcel, dispatched
                pair = _orders_for(context, customer, [(products[0], 2), (products[1], 1)], 2)
                if len(pair) != 2 or pair[0].warehouse_id != pair[1].warehouse_id:
                    continue
                parcel = merging.shipments_merge(
                    actor=warehouse_user, shipment=pair[0], others=[pair[1].pk]
                )
                for shipment in pair:
                    _pick_and_pack(context, shipment)
                merging.parcel_dispatch(
                    actor=logistics,
                    parcel=parcel,
                    details=services.DispatchDetails(
                        carrier="顺丰速运 SF Express",
                        tracking_number=f"SF{7300000000 + parcel.pk:010d}",
                        service="express",
                        parcels=1,
                    ),
                )
                made.append(parcel.number)
            elif len(made) == 1:  # an open parcel and a third order proposed to join it
                trio = _orders_for(context, customer, [(products[1], 1)], 3)
                if len(trio) != 3 or len({s.warehouse_id for s in trio}) != 1:
                    continue
                parcel = merging.shipments_merge(
                    actor=warehouse_user, shipment=trio[0], others=[trio[1].pk]
                )
                made.append(parcel.number)
            else:  # a shipment split: part of it waits for a later truck
                shipments = _orders_for(context, customer, [(products[2], 6), (products[0], 2)], 1)
                shipment = max(shipments, key=_units, default=None)
                if shipment is None or _units(shipment) < 2:
                    continue
                shipment = services.shipment_start_picking(actor=warehouse_user, shipment=shipment)
                first = shipment.lines.order_by("pk").first()
                later = shipment_split(
                    actor=warehouse_user,
                    shipment=shipment,
                    quantities={
                        first.pk: min(2, first.quantity)
                        if shipment.lines.count() > 1
                        else min(2, first.quantity - 1)
                    },
                )
                made.append(f"{shipment.number} → {later.number}")
        except (ServiceError, ValidationError) as exc:
            context.say(f"merged parcels demo: {exc}")
    context.say(
        "merged parcels and split: "
        + ", ".join(made)
        + " (the split's first half is ready for the pack station)"
    )
