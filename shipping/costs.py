"""What a shipment cost us, fixed when it leaves (margins read these; nothing recomputes them).

- Goods: each line's `unit_cost` is the warehouse's moving-average cost of its product, read
  in the dispatch (or pickup handover) transaction right after the stock is issued, while the
  stock rows are still locked: a receipt at the same moment waits, and later receipts never
  change it. A stock row without a known cost leaves the line's cost empty.
- Carriage: the carrier's quote recorded with the carrier choice (`shipping_cost`, its COD
  part in `cod_fee`). A shipment dispatched without a recorded quote (no choice, or handed to
  another carrier than the one chosen) is quoted at dispatch from the rate card of the carrier
  and service on its paperwork; a carrier or lane without a rate card leaves it empty.
"""

from django.db.models import OuterRef, Subquery

from inventory.models import StockLevel
from shipping import rates
from shipping.choice import lane_rates, shipment_parcel, terms_of
from shipping.models import CarrierService, Shipment, ShipmentLine


def fix_goods_cost(shipment: Shipment) -> None:
    """One UPDATE: every line's unit cost from its warehouse's average (locked by the issue)."""
    ShipmentLine.objects.filter(shipment=shipment).update(
        unit_cost=Subquery(
            StockLevel.objects.filter(
                product_id=OuterRef("product_id"),
                warehouse_id=shipment.warehouse_id,
                cost_known=True,
            ).values("average_cost")[:1]
        )
    )


def dispatch_quote(shipment: Shipment) -> tuple[CarrierService, rates.Quote] | None:
    """The rate card's price for the shipment as dispatched (carrier by its name, the service
    level on the paperwork); None when the carrier, service or lane has no rate card."""
    service = (
        CarrierService.objects.select_related("carrier")
        .filter(carrier__name__iexact=shipment.carrier.strip(), level=shipment.service)
        .first()
    )
    if service is None:
        return None
    rate = lane_rates(shipment.warehouse.region, shipment.order.ship_region).get(service.pk)
    if rate is None:
        return None
    quote = rates.quote(
        shipment_parcel(shipment),
        terms_of(rate),
        divisor=service.volumetric_divisor,
        insure=service.carrier.supports_insurance,
    )
    return service, quote


def record_shipping_cost(shipment: Shipment) -> None:
    """At dispatch: keep the quote recorded with the choice, or quote now (fields set on the
    instance; the dispatch's save writes them)."""
    if shipment.shipping_cost is not None:
        return
    found = dispatch_quote(shipment)
    if found is None:
        return
    service, quote = found
    shipment.carrier_service = service
    shipment.shipping_cost = quote.total
    shipment.cod_fee = quote.cod_fee
