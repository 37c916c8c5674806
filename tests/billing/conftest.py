from decimal import Decimal

import pytest
from stdnum.cn import uscc

from billing.models import Invoice
from shipping import services as shipping_services
from tests.shipping.conftest import Shipping


def taxpayer_id(seed: int) -> str:
    """A valid unified social credit code (the check character computed by python-stdnum)."""
    body = f"9131000{seed:010d}"
    return body + uscc.calc_check_digit(body)


class Billing(Shipping):
    def business(self, *, seed=1, **kwargs):
        """A business customer with valid fapiao details."""
        kwargs.setdefault("credit_limit", Decimal(1_000_000))
        return self.customer(
            kind="business",
            taxpayer_id=taxpayer_id(seed),
            fapiao_title="上海光明照明有限公司",
            **kwargs,
        )

    def dispatch(self, shipment, tracking="SF1000000001"):
        shipping_services.shipment_pack(actor=None, shipment=shipment)
        return shipping_services.shipment_dispatch(
            actor=None, shipment=shipment, details=self.details(tracking=tracking)
        )

    @staticmethod
    def invoices(order):
        return list(Invoice.objects.filter(order=order).prefetch_related("lines").order_by("pk"))


@pytest.fixture
def billing(db):
    return Billing()
