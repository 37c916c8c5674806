"""Orders in the states the customer's page shows, for the page, security and browser tests:
open with delivery slots to choose, and delivered with an invoice."""

from celery import current_app

from orders import services as order_services
from orders.models import Order
from shipping import services
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
        week_pattern(self.shanghai, capacity=capacity)
        week_pattern(self.guangzhou, capacity=capacity)
        lamp = self.product("128.00", sku="PUB-LAMP", name="台灯", name_en="Desk lamp")
        bulb = self.product("9.90", sku="PUB-BULB", name="灯泡", name_en="Bulb")
        self.stock(lamp, self.shanghai, 10)
        self.stock(bulb, self.guangzhou if warehouses == 2 else self.shanghai, 100)
        customer = self.business(email=email, seed=7)
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
