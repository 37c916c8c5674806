"""Orders that reached the customer, for the tests of what happens after (returns, refunds)."""

from datetime import date

from billing.choices import PaymentMethod
from billing.payments import payment_record
from orders.models import Order
from shipping import services as shipping_services
from shipping.permissions import ShipmentAction


def delivered_order(billing, run_hooks, customer, *lines, pay=True, method=None):
    """An order of `lines` [(product, units)] dispatched from Shanghai and delivered; a
    prepaid one is paid in full first (by `method`, bank transfer by default)."""
    for product, units in lines:
        billing.stock(product, billing.shanghai, units)
    with run_hooks():
        order = billing.allocated_order(*lines, customer=customer)
    if pay and customer.payment_terms == "prepaid":
        [invoice] = billing.invoices(order)
        payment_record(
            actor=None,
            customer=customer,
            amount=invoice.total,
            method=method or PaymentMethod.BANK_TRANSFER,
            received_on=date(2026, 11, 30),
            idempotency_key=f"pay-{order.number}",
        )
    shipments = billing.packed(order)
    with run_hooks():
        for n, shipment in enumerate(shipments, start=1):
            shipment = shipping_services.shipment_dispatch(
                actor=None,
                shipment=shipment,
                details=billing.details(tracking=f"SF{order.pk:08d}{n:02d}"),
            )
            shipping_services.shipment_record_progress(
                actor=None, shipment=shipment, action=ShipmentAction.DELIVERED
            )
    return Order.objects.get(pk=order.pk)
