from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales import case_services
from shipping import services as shipping_services
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


class Cases(Shipping):
    """Shipping's catalogue plus dispatched shipments carrying lots, and cases on them."""

    _tracking = 0

    def dispatched(self, customer=None, *, lot="", product=None, quantity=1):
        product = product or self.product()
        self.stock(product, self.shanghai, quantity + 5)
        order = self.allocated_order((product, quantity), customer=customer)
        [shipment] = self.picked(order)
        lots = {line.pk: lot for line in shipment.lines.all()} if lot else {}
        shipment = shipping_services.shipment_pack(actor=None, shipment=shipment, lots=lots)
        Cases._tracking += 1
        return shipping_services.shipment_dispatch(
            actor=None, shipment=shipment, details=self.details(f"SF9{Cases._tracking:09d}")
        )

    def case(self, *, customer=None, actor=None, opened_at=None, **kwargs):
        customer = customer or self.customer()
        request = case_services.CaseRequest(
            customer=customer,
            category=kwargs.pop("category", "damaged"),
            subject=kwargs.pop("subject", "Lampshade broken"),
            **kwargs,
        )
        return case_services.case_open(actor=actor, request=request, opened_at=opened_at)


@pytest.fixture
def cases(db):
    return Cases()


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", email="agent@example.com", role="customer_service")


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", email="boss@example.com", role="manager")
