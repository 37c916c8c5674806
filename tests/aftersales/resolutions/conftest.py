"""Returns that reached inspection, on paid orders, for the resolution tests."""

import pytest

from aftersales import return_inspection
from aftersales.models import ReturnLine
from tests.aftersales.conftest import Returns
from tests.billing.conftest import Billing
from tests.billing.delivered import delivered_order


class Resolutions(Returns, Billing):
    def paid_order(self, hooks, *lines, customer=None, **kwargs):
        customer = customer or self.business(payment_terms="prepaid")
        return delivered_order(self, hooks, customer, *lines, **kwargs)

    def inspected(self, order, *quantities, disposition="restock", **kwargs):
        """A return of `quantities` of the order's lines, approved, received and inspected."""
        request = self.received(order, *quantities, **kwargs)
        for line in ReturnLine.objects.filter(request=request).order_by("pk"):
            return_inspection.return_inspect_line(
                actor=None, line=line, disposition=disposition, note="ok"
            )
        request.refresh_from_db()
        return request


@pytest.fixture
def resolutions(db):
    return Resolutions()
