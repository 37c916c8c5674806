from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales import return_services as rs
from shipping import services
from shipping.models import Shipment
from shipping.permissions import ShipmentAction
from tests.factories import WarehouseFactory
from tests.shipping.conftest import Shipping


class Returns(Shipping):
    """The shipping catalogue plus delivered orders to send back, and a quarantine area."""

    def __init__(self):
        super().__init__()
        self.quarantine = WarehouseFactory(
            code="SH1-Q", name="Shanghai quarantine", region="SH", is_quarantine=True
        )
        self._tracking = 0

    def delivered_order(self, *lines, customer=None, days_ago=0):
        """An order shipped from Shanghai and delivered `days_ago` days ago."""
        for product, quantity in lines:
            self.stock(product, self.shanghai, quantity)
        order = self.allocated_order(*lines, customer=customer)
        for shipment in self.packed(order):
            self._tracking += 1
            services.shipment_dispatch(
                actor=None,
                shipment=shipment,
                details=self.details(f"SF{order.pk:06d}{self._tracking:06d}"),
            )
            services.shipment_record_progress(
                actor=None, shipment=shipment, action=ShipmentAction.DELIVERED
            )
        if days_ago:
            Shipment.objects.filter(order=order).update(
                delivered_at=timezone.now() - timedelta(days=days_ago)
            )
        order.refresh_from_db()
        return order

    @staticmethod
    def lines_of(order, *quantities):
        """{order line id: quantity} in line order."""
        return {
            line.pk: quantity
            for line, quantity in zip(order.lines.order_by("line_no"), quantities, strict=False)
        }

    def request(self, order, *quantities, reason="defective", actor=None, **kwargs):
        return rs.return_request_create(
            actor=actor,
            order=order,
            lines=self.lines_of(order, *quantities),
            reason=reason,
            resolution=kwargs.pop("resolution", "refund"),
            **kwargs,
        )

    def received(self, order, *quantities, **kwargs):
        request = self.request(order, *quantities, **kwargs)
        request = rs.return_approve(actor=None, request=request)
        return rs.return_receive(actor=None, request=request, warehouse=self.shanghai)


@pytest.fixture
def returns(db):
    return Returns()
