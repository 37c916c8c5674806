"""Orders in the states the customer's page shows, for the page, security and browser tests:
open with delivery slots to choose, and delivered with an invoice."""

from celery import current_app

from orders import services as order_services
from orders.models import Order
from shipping import services
from shipping.models import SlotPattern
from shipping.permissions import ShipmentAction
from tests.billing.conftest import Billing
from tests.shipping.delivery import week_pattern


def page_url(order: Order) -> str:
    return f"/track/{order_services.order_public_token(order)}/"


def with_hooks(capture):
    """Run what commits queue (billing's invoicing task) in this process."""

    class Hooks:
        def __enter__(self):
            current_app.conf.task_always_eager = True
            current_app.conf.task_eager_propagates = True
            self.inner = capture(execute=True)
            return self.inner.__enter__()

        def __exit__(self, *exc):
            try:
                return self.inner.__exit__(*exc)
            finally:
                current_app.conf.task_always_eager = False
                current_app.conf.task_eager_propagates = False

    return Hooks()


class PublicOrders(Billing):
    def open_order(self, *, capacity=2, email="buyer@example.com", warehouses=1):
        """A confirmed order, allocated from `warehouses` warehouses (1 or 2), each with a
        week of morning and afternoon slots."""
        if not SlotPattern.objects.exists():
            week_pattern(self.shanghai, capacity=capacity)
            week_pattern(self.guangzhou, capacity=capacity)
        self.opened = getattr(self, "opened", 0) + 1
        n = self.opened
        lamp = self.product("128.00", sku=f"PUB-LAMP-{n}", name="台灯", name_en="Desk lamp")
        bulb = self.product("9.90", sku=f"PUB-BULB-{n}", name="灯泡", name_en="Bulb")
        self.stock(lamp, self.shanghai, 10)
        self.stock(bulb, self.guangzhou if warehouses == 2 else self.shanghai, 100)
        customer = self.business(email=email, seed=6 + n)
        return self.allocated_order((lamp, 1), (bulb, 4), customer=customer)

    def delivered_order(self, capture, *, seed=11, tracking="SF5500000001"):
        """An order on account, dispatched (its invoice issued) and delivered."""
        lamp = self.product("256.00", sku=f"DEL-{seed}", name="吊灯", name_en="Pendant lamp")
        self.stock(lamp, self.shanghai, 10)
        customer = self.business(seed=seed, payment_terms="net_30")
        order = order_services.order_submit(actor=None, order=self.order(customer, (lamp, 2)))
        [shipment] = self.picked(order)
        with with_hooks(capture):
            shipment = self.dispatch(shipment, tracking=tracking)
        for action in (ShipmentAction.IN_TRANSIT, ShipmentAction.DELIVERED):
            services.shipment_record_progress(actor=None, shipment=shipment, action=action)
        order.refresh_from_db()
        assert order.invoices.count() == 1, "the dispatch issues the invoice"
        return order


BUSY_REGIONS = [
    ("SH", "31.23", "121.47"),
    ("GD", "23.13", "113.26"),
    ("BJ", "39.90", "116.40"),
    ("SC", "30.66", "104.07"),
    ("HB", "30.59", "114.31"),
    ("ZJ", "30.27", "120.15"),
]


def busy_order(public: PublicOrders, *, shipments: int = 5, events: int = 50, tag: str = "B"):
    """An order in `shipments` parcels (one per warehouse), all dispatched and on their way,
    with `events` carrier tracking events shared out between them: the page at its busiest."""
    from datetime import timedelta
    from decimal import Decimal

    from shipping.tracking.adapters import CarrierEvent
    from shipping.tracking.services import tracking_events_apply
    from shipping.tracking.statuses import TrackingSource, TrackingStatus
    from tests.factories import WarehouseFactory

    warehouses = [public.shanghai, public.guangzhou]
    for n, (region, lat, lon) in enumerate(BUSY_REGIONS[2:shipments], start=3):
        warehouses.append(
            WarehouseFactory(
                code=f"W{tag}{n}", region=region, latitude=Decimal(lat), longitude=Decimal(lon)
            )
        )
    lines = []
    for n, warehouse in enumerate(warehouses[:shipments]):
        product = public.product("50.00", sku=f"{tag}-{n}", name=f"商品 {n}", name_en=f"Item {n}")
        public.stock(product, warehouse, 5)
        lines.append((product, 1))
    order = public.allocated_order(*lines, customer=public.business(seed=90 + shipments))
    parcels = public.packed(order)
    assert len(parcels) == shipments, len(parcels)
    per_parcel = events // shipments
    for n, parcel in enumerate(parcels):
        tracking = f"SF{tag}{shipments}{n:08d}"
        parcel = services.shipment_dispatch(
            actor=None, shipment=parcel, details=public.details(tracking)
        )
        start = parcel.dispatched_at
        tracking_events_apply(
            shipment=parcel,
            source=TrackingSource.POLL,
            events=[
                CarrierEvent(
                    tracking,
                    start + timedelta(minutes=10 * (k + 1)),
                    f"C{k}",
                    TrackingStatus.IN_TRANSIT,
                    f"转运中心 {k}",
                    f"快件已到达转运中心 {k}",
                )
                for k in range(per_parcel)
            ],
        )
    order.refresh_from_db()
    return order
