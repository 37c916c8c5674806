"""The nightly check of the denormalised fulfilment status against the shipments."""

from orders.models import Order
from shipping import services
from shipping.selectors import fulfilment_drift
from shipping.tasks import check_fulfilment


def test_the_check_finds_an_order_whose_fulfilment_status_drifted(shipping, caplog):
    product = shipping.product()
    stock = [(product, shipping.shanghai, 3), (product, shipping.guangzhou, 3)]
    partial = shipping.allocated_order((product, 5), stock=stock)
    waiting = shipping.allocated_order((product, 1))
    first = sorted(shipping.packed(partial), key=lambda s: s.warehouse.code != "SH1")[0]
    shipping.picked(waiting)
    services.shipment_dispatch(actor=None, shipment=first, details=shipping.details())
    assert Order.objects.get(pk=partial.pk).fulfilment_status == "partial"
    assert fulfilment_drift() == []
    assert check_fulfilment() == 0

    Order.objects.filter(pk=partial.pk).update(fulfilment_status="fulfilled")
    Order.objects.filter(pk=waiting.pk).update(fulfilment_status="partial")
    drift = {order.number: expected for order, expected in fulfilment_drift(batch=1)}
    assert drift == {partial.number: "partial", waiting.number: "unfulfilled"}
    assert check_fulfilment() == 2
    assert f"fulfilment drift: order {partial.number} is fulfilled" in caplog.text
