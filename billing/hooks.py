"""What billing hears from orders and shipping. Each callable only queues the order's billing
for after the commit (billing.services.order_bill in a worker): the order's transaction takes no
invoice counter lock and no extra statement, and a lost task is caught up by the beat job."""

from customers.choices import PaymentTerms
from oms.types import User
from orders.models import Order
from orders.permissions import Actor
from shipping.models import Shipment


def _bill(order: Order, actor: Actor = None, *changes) -> None:
    """Bring the order's documents up to date once the order's transaction has committed."""
    from billing.tasks import bill_order
    from oms.tasks import enqueue_on_commit

    enqueue_on_commit(bill_order, order.pk)


def _bill_confirmed(order: Order, actor: Actor = None) -> None:
    # Only prepaid orders are invoiced at confirmation (the others at dispatch): no task for
    # an order with nothing to bill yet.
    if order.payment_terms == PaymentTerms.PREPAID:
        _bill(order)


def _bill_dispatched(shipment: Shipment, actor: User | None) -> None:
    # Prepaid orders were invoiced at confirmation; the others per shipment at dispatch.
    if shipment.order.payment_terms != PaymentTerms.PREPAID:
        _bill(shipment.order)


def connect() -> None:
    from billing.dunning import invoice_exposures
    from orders import hooks as order_hooks
    from shipping import hooks as shipping_hooks

    order_hooks.credit_exposure_providers.append(invoice_exposures)
    from billing.channel_payments import record_channel_payment

    order_hooks.order_placed.append(record_channel_payment)
    order_hooks.order_confirmed.append(_bill_confirmed)
    order_hooks.order_amended.append(_bill)
    order_hooks.order_cancelled.append(_bill)
    order_hooks.order_remainder_cancelled.append(_bill)
    shipping_hooks.shipment_dispatched.append(_bill_dispatched)
    from billing.dispatch_guard import prepaid_refusal

    shipping_hooks.dispatch_guards.append(prepaid_refusal)
