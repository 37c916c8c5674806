"""The order's payment status, kept by billing through orders.services.order_set_payment_status,
and completion: delivered and paid → completed, whichever comes last."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from oms.texts import text_of
from orders import services
from orders.choices import EventKind, OrderStatus, PaymentStatus
from orders.models import Order, OrderEvent
from orders.notes import ORDER_NOTES
from shipping import services as shipping_services
from shipping.permissions import ShipmentAction
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping

S = OrderStatus
P = PaymentStatus


class Flow(Shipping):
    def dispatched(self):
        """An on-account order dispatched (shipped), with its one shipment."""
        product = self.product()
        customer = self.customer(payment_terms="net_30")
        order = self.allocated_order(
            (product, 1), stock=[(product, self.shanghai, 1)], customer=customer
        )
        [shipment] = self.packed(order)
        shipment = shipping_services.shipment_dispatch(
            actor=None, shipment=shipment, details=self.details()
        )
        return Order.objects.get(pk=order.pk), shipment

    @staticmethod
    def deliver(shipment):
        return shipping_services.shipment_record_progress(
            actor=None, shipment=shipment, action=ShipmentAction.DELIVERED
        )


@pytest.fixture
def flow(db):
    return Flow()


def payment_events(order):
    return list(
        OrderEvent.objects.filter(order=order, kind=EventKind.PAYMENT)
        .order_by("pk")
        .values_list("data", flat=True)
    )


def status_changes(order):
    return list(
        OrderEvent.objects.filter(order=order, kind=EventKind.STATUS)
        .order_by("pk")
        .values_list("to_status", flat=True)
    )


def test_paid_first_then_delivered_completes_on_delivery(flow):
    order, shipment = flow.dispatched()
    assert order.status == S.SHIPPED
    order = services.order_set_payment_status(order_id=order.pk, status=P.PAID)
    assert (order.status, order.payment_status) == (S.SHIPPED, P.PAID)

    flow.deliver(shipment)

    order = Order.objects.get(pk=order.pk)
    assert order.status == S.COMPLETED
    assert status_changes(order)[-2:] == [S.DELIVERED, S.COMPLETED]
    completion = OrderEvent.objects.filter(order=order, to_status=S.COMPLETED).get()
    assert completion.message["code"] == "paid_and_delivered"


def test_delivered_first_then_paid_completes_on_payment(flow):
    order, shipment = flow.dispatched()
    flow.deliver(shipment)
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED

    order = services.order_set_payment_status(order_id=order.pk, status=P.PARTIALLY_PAID)
    assert order.status == S.DELIVERED  # not fully paid: stays delivered
    order = services.order_set_payment_status(order_id=order.pk, status=P.PAID)

    assert order.status == S.COMPLETED
    assert Order.objects.get(pk=order.pk).status == S.COMPLETED
    assert payment_events(order) == [
        {"payment_status": [P.UNPAID, P.PARTIALLY_PAID]},
        {"payment_status": [P.PARTIALLY_PAID, P.PAID]},
    ]


def test_the_same_status_again_writes_nothing(flow):
    order, shipment = flow.dispatched()
    flow.deliver(shipment)
    services.order_set_payment_status(order_id=order.pk, status=P.PAID)
    events = OrderEvent.objects.filter(order=order).count()

    again = services.order_set_payment_status(order_id=order.pk, status=P.PAID)

    assert again.status == S.COMPLETED
    assert OrderEvent.objects.filter(order=order).count() == events
    assert status_changes(order).count(S.COMPLETED) == 1


def test_paid_but_not_delivered_is_not_completed(flow):
    order, _shipment = flow.dispatched()
    order = services.order_set_payment_status(order_id=order.pk, status=P.PAID)
    assert order.status == S.SHIPPED
    # A confirmed order paid in advance (prepaid) stays where it is too.
    product = flow.product()
    other = flow.allocated_order((product, 1), stock=[(product, flow.shanghai, 1)])
    other = services.order_set_payment_status(order_id=other.pk, status=P.PAID)
    assert (other.status, other.payment_status) == (S.ALLOCATED, P.PAID)


def test_a_cancelled_order_keeps_its_status_but_records_the_refund(flow):
    product = flow.product()
    order = flow.allocated_order((product, 1), stock=[(product, flow.shanghai, 1)])
    services.order_set_payment_status(order_id=order.pk, status=P.PAID)
    services.order_cancel(actor=None, order=order, reason="customer changed mind")

    order = services.order_set_payment_status(order_id=order.pk, status=P.REFUNDED)

    assert (order.status, order.payment_status) == (S.CANCELLED, P.REFUNDED)
    assert S.COMPLETED not in status_changes(order)


def test_a_refund_leaves_a_completed_order_completed(flow):
    order, shipment = flow.dispatched()
    flow.deliver(shipment)
    services.order_set_payment_status(order_id=order.pk, status=P.PAID)

    order = services.order_set_payment_status(order_id=order.pk, status=P.PARTIALLY_REFUNDED)
    assert (order.status, order.payment_status) == (S.COMPLETED, P.PARTIALLY_REFUNDED)
    order = services.order_set_payment_status(order_id=order.pk, status=P.REFUNDED)
    assert (order.status, order.payment_status) == (S.COMPLETED, P.REFUNDED)


def test_an_unknown_status_is_refused_and_writes_nothing(flow):
    order, _shipment = flow.dispatched()
    with pytest.raises(ValidationError, match="Unknown payment status"):
        services.order_set_payment_status(order_id=order.pk, status="overpaid")
    assert Order.objects.get(pk=order.pk).payment_status == P.UNPAID
    assert payment_events(order) == []


def test_the_timeline_words_the_change_in_the_readers_language(flow):
    order, _shipment = flow.dispatched()
    finance = UserFactory()
    services.order_set_payment_status(order_id=order.pk, status=P.PAID, actor=finance)
    event = OrderEvent.objects.get(order=order, kind=EventKind.PAYMENT)
    assert event.actor == finance
    with translation.override("en"):
        assert text_of(ORDER_NOTES, event.message) == "Payment: Unpaid → Paid."
    with translation.override("zh-hans"):
        worded = text_of(ORDER_NOTES, event.message)
    assert "Paid" not in worded
    assert "Payment" not in worded


@pytest.mark.django_db(transaction=True)
def test_payment_and_delivery_at_the_same_time_complete_the_order_once():
    """Billing records the payment while the carrier reports the delivery: the order row lock
    serialises them, and whichever commits last completes the order, once."""
    flow = Flow()
    order, shipment = flow.dispatched()
    barrier = threading.Barrier(2)
    errors = []

    def pay():
        try:
            barrier.wait()
            services.order_set_payment_status(order_id=order.pk, status=P.PAID)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def deliver():
        try:
            barrier.wait()
            Flow.deliver(shipment)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay), threading.Thread(target=deliver)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.payment_status) == (S.COMPLETED, P.PAID)
    assert status_changes(order).count(S.COMPLETED) == 1
