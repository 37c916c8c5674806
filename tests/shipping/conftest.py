from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import services as order_services
from shipping import services
from shipping.models import Shipment
from tests.orders.conftest import Catalog


class Shipping(Catalog):
    """The orders catalogue plus what shipping tests need: allocated orders and details."""

    def allocated_order(self, *lines, stock=None, customer=None):
        """An order confirmed and allocated; `stock` is [(product, warehouse, units)]."""
        for product, warehouse, units in stock or []:
            self.stock(product, warehouse, units)
        order = self.order(customer or self.customer(), *lines)
        return order_services.order_submit(actor=None, order=order)

    @staticmethod
    def details(tracking="SF1000000001", **kwargs):
        values = {
            "carrier": "SF Express",
            "tracking_number": tracking,
            "service": "express",
            "parcels": 2,
            "weight_kg": Decimal("3.500"),
            "declared_value": Decimal("200.00"),
            "cod_amount": Decimal("0.00"),
            "expected_delivery_date": timezone.localdate() + timedelta(days=2),
        }
        values.update(kwargs)
        return services.DispatchDetails(**values)

    @staticmethod
    def picked(order, actor=None):
        """Start picking the order (its shipments are created); returns them, fresh."""
        order_services.order_start_picking(actor=actor, order=order)
        return list(Shipment.objects.filter(order=order).order_by("pk"))

    def packed(self, order, actor=None):
        return [
            services.shipment_pack(actor=actor, shipment=shipment)
            for shipment in self.picked(order, actor)
        ]


@pytest.fixture
def shipping(db):
    return Shipping()
