"""Resolving returns: refund (credit notes, refund by the original method, shipping by
reason or by staff, partial and several returns on one order, the order's statuses),
exchange (a replacement order at no charge, boosted, allocated, on both timelines), repair
(a work order whose goods go back on an order at no charge), messages and double submits."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from aftersales.models import ReturnEvent, ReturnResolution
from aftersales.resolutions import return_resolve
from aftersales.return_choices import ReturnStatus
from billing.choices import CreditReason, PaymentKind, PaymentMethod
from billing.models import Invoice, Payment
from inventory.choices import WorkOrderStage
from inventory.models import StockLevel, StockMovement, WorkOrder
from inventory.services import stock_adjust
from inventory.work_orders import work_order_advance
from oms.errors import ServiceError
from oms.models import OutboxMessage
from orders.choices import EventKind, OrderStatus, PaymentStatus
from orders.models import Order, OrderEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def agent():
    return UserFactory(username="agent", role="customer_service")


def fresh(order):
    return Order.objects.get(pk=order.pk)


def test_a_refund_credits_the_returned_units_and_pays_them_back_the_way_they_were_paid(
    resolutions, run_hooks, agent
):
    lamp, shade = resolutions.product("100.00"), resolutions.product("30.00")
    order = resolutions.paid_order(run_hooks, (lamp, 3), (shade, 1), method=PaymentMethod.ALIPAY)
    request = resolutions.inspected(order, 2, 0, reason="changed_mind")
    assert fresh(order).status == OrderStatus.REFUNDING  # since the approval
    record = return_resolve(
        actor=agent, return_request=request, resolution="refund", refund_shipping=None, note=""
    )
    assert record.amount_credited == record.amount_refunded > D("199")
    assert not record.shipping_refunded
    [note] = record.credit_notes.all()
    assert note.reason == CreditReason.RETURN
    assert note.shipping_fee == 0
    [refund] = record.refunds.all()
    assert (refund.method, refund.kind) == (PaymentMethod.ALIPAY, PaymentKind.REFUND)
    order = fresh(order)
    assert (order.status, order.payment_status) == (
        OrderStatus.COMPLETED,
        PaymentStatus.PARTIALLY_REFUNDED,
    )
    request.refresh_from_db()
    assert request.status == ReturnStatus.RESOLVED
    assert request.resolved_at
    event = ReturnEvent.objects.filter(request=request).last()
    assert event.to_status == ReturnStatus.RESOLVED
    assert event.data["refunds"] == [refund.number]
    statuses = list(
        OrderEvent.objects.filter(order=order, kind=EventKind.STATUS)
        .order_by("pk")
        .values_list("to_status", flat=True)
    )
    assert statuses[-2:] == [OrderStatus.REFUNDING, OrderStatus.COMPLETED]
    message = OutboxMessage.objects.get(event_code="return.refunded")
    assert request.number in message.body


def test_the_shipping_fee_goes_back_for_the_company_s_fault_or_when_staff_say_so(
    resolutions, run_hooks, agent
):
    from orders.models import ShippingRule

    ShippingRule.objects.create(name="Everywhere", region="", base_fee=D("12.00"))
    lamp = resolutions.product("100.00")
    customer = resolutions.business(payment_terms="prepaid")
    first = resolutions.paid_order(run_hooks, (lamp, 1), customer=customer)
    assert first.shipping_fee == D("12.00")
    defect = resolutions.inspected(first, 1, reason="defective")
    record = return_resolve(
        actor=agent, return_request=defect, resolution="refund", refund_shipping=None, note=""
    )
    assert record.shipping_refunded
    # the lamp 100.00 (tax included) + the fee 12.00 + its VAT 12.00 × 13 % = 1.56
    assert record.amount_refunded == D("113.56")
    assert fresh(first).payment_status == PaymentStatus.REFUNDED
    second = resolutions.paid_order(run_hooks, (lamp, 1), customer=customer)
    mind = resolutions.inspected(second, 1, reason="changed_mind")
    record = return_resolve(
        actor=agent, return_request=mind, resolution="refund", refund_shipping=True, note="VIP"
    )
    assert record.shipping_refunded
    assert record.overridden
    assert record.amount_refunded == D("113.56")


def test_several_partial_returns_on_one_order_keep_it_refunding_until_the_last(
    resolutions, run_hooks, agent
):
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 4))
    one = resolutions.inspected(order, 1)
    two = resolutions.inspected(order, 2)
    return_resolve(
        actor=agent, return_request=one, resolution="refund", refund_shipping=False, note=""
    )
    assert fresh(order).status == OrderStatus.REFUNDING  # the second still waits
    return_resolve(
        actor=agent, return_request=two, resolution="refund", refund_shipping=False, note=""
    )
    order = fresh(order)
    assert order.status == OrderStatus.COMPLETED
    assert order.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    refunded = -sum(p.amount for p in Payment.objects.filter(kind=PaymentKind.REFUND))
    assert D("299") < refunded < D("301")  # three of four units, rounded per document
    [invoice] = Invoice.objects.filter(order=order)
    assert invoice.total - invoice.amount_credited == invoice.amount_paid  # one unit left


def test_the_same_submit_again_returns_the_resolution_and_another_is_refused(
    resolutions, run_hooks, agent
):
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 1))
    request = resolutions.inspected(order, 1)
    kwargs = dict(actor=agent, return_request=request, refund_shipping=None, note="")
    first = return_resolve(resolution="refund", submission_key="form-1", **kwargs)
    again = return_resolve(resolution="refund", submission_key="form-1", **kwargs)
    assert again.pk == first.pk
    with pytest.raises(ServiceError, match="resolved already"):
        return_resolve(resolution="exchange", submission_key="form-2", **kwargs)
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1
    assert ReturnResolution.objects.count() == 1


def test_an_exchange_places_a_boosted_replacement_at_no_charge_on_both_timelines(
    resolutions, run_hooks, agent
):
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 2))
    request = resolutions.inspected(order, 1, resolution="exchange")
    resolutions.stock(lamp, resolutions.shanghai, 1)
    with run_hooks():
        record = return_resolve(
            actor=agent,
            return_request=request,
            resolution="exchange",
            refund_shipping=None,
            note="",
        )
    replacement = fresh(record.replacement_order)
    assert replacement.replaces_id == order.pk
    assert replacement.customer_id == order.customer_id
    assert replacement.status == OrderStatus.ALLOCATED
    assert (replacement.total, replacement.shipping_fee) == (D("0.00"), D("0.00"))
    [line] = replacement.lines.all()
    assert (line.quantity, line.unit_price, line.discount_percent) == (1, D("100.00"), 100)
    assert replacement.priority_boost == 50
    assert replacement.ship_street == order.ship_street
    # Its invoice asks for nothing: the order counts as paid and may be dispatched.
    [invoice] = Invoice.objects.filter(order=replacement)
    assert invoice.total == 0
    assert invoice.number
    assert replacement.payment_status == PaymentStatus.PAID
    assert OrderEvent.objects.filter(order=order, kind=EventKind.AFTER_SALES).exists()
    assert OrderEvent.objects.filter(order=replacement, kind=EventKind.AFTER_SALES).exists()
    assert fresh(order).status == OrderStatus.COMPLETED  # an exchange moves no money
    assert OutboxMessage.objects.filter(event_code="return.exchanged").exists()


def test_a_repair_is_a_work_order_whose_goods_go_back_on_an_order_at_no_charge(
    resolutions, run_hooks, agent
):
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 1))
    request = resolutions.inspected(order, 1, resolution="repair", disposition="quarantine")
    with run_hooks():
        record = return_resolve(
            actor=agent, return_request=request, resolution="repair", refund_shipping=None, note=""
        )
    repair = fresh(record.replacement_order)
    assert repair.status == OrderStatus.IN_PRODUCTION
    [line] = repair.lines.all()
    work_order = WorkOrder.objects.get(order_line_id=line.pk)
    assert (work_order.warehouse_id, work_order.quantity) == (resolutions.shanghai.pk, 1)
    assert work_order.reference == request.number
    with run_hooks():
        while work_order.stage != WorkOrderStage.DONE:
            work_order = work_order_advance(actor=None, work_order=work_order)
    assert fresh(repair).status == OrderStatus.ALLOCATED  # ready to ship back
    assert OutboxMessage.objects.filter(event_code="return.repair").exists()


def on_hand(product, warehouse) -> int:
    level = StockLevel.objects.filter(product=product, warehouse=warehouse).first()
    return level.on_hand if level else 0


@pytest.mark.parametrize("disposition", ["quarantine", "restock"])
def test_the_goods_to_repair_leave_stock_once(resolutions, run_hooks, agent, disposition):
    """Booked back in at inspection, the customer's unit is taken out for its repair: the
    stock counts it once, not as stock and again as the work order's repaired unit."""
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 1))
    request = resolutions.inspected(order, 1, resolution="repair", disposition=disposition)
    where = request.lines.get().stock_movement.warehouse
    before = on_hand(lamp, where)
    with run_hooks():
        return_resolve(
            actor=agent, return_request=request, resolution="repair", refund_shipping=None, note=""
        )
    assert on_hand(lamp, where) == before - 1
    taken = StockMovement.objects.get(reason="repair")
    assert (taken.product_id, taken.warehouse_id, taken.quantity) == (lamp.pk, where.pk, -1)
    assert taken.reference == request.number


def test_a_repair_of_goods_no_longer_in_stock_is_refused_and_nothing_is_written(
    resolutions, run_hooks, agent
):
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 1))
    request = resolutions.inspected(order, 1, resolution="repair", disposition="quarantine")
    where = request.lines.get().stock_movement.warehouse
    stock_adjust(actor=None, product=lamp, warehouse=where, quantity=-1, reason="lost")
    orders_before = Order.objects.count()
    with pytest.raises(ServiceError, match="no longer in stock"):
        return_resolve(
            actor=agent, return_request=request, resolution="repair", refund_shipping=None, note=""
        )
    assert Order.objects.count() == orders_before
    assert not ReturnResolution.objects.exists()
    assert not WorkOrder.objects.filter(reference=request.number).exists()
    request.refresh_from_db()
    assert request.status == ReturnStatus.INSPECTED


def test_a_return_not_inspected_or_a_bad_resolution_is_refused_and_nothing_is_written(
    resolutions, run_hooks, agent
):
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 2))
    request = resolutions.received(order, 1)
    with pytest.raises(ServiceError, match="inspected"):
        return_resolve(
            actor=agent, return_request=request, resolution="refund", refund_shipping=None, note=""
        )
    with pytest.raises(ServiceError, match="refund, exchange or repair"):
        return_resolve(
            actor=agent, return_request=request, resolution="gift", refund_shipping=None, note=""
        )
    assert not ReturnResolution.objects.exists()
    assert not order.credit_notes.exists()


def test_a_role_without_the_right_cannot_resolve(resolutions, run_hooks):
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 1))
    request = resolutions.inspected(order, 1)
    with pytest.raises(PermissionDenied):
        return_resolve(
            actor=UserFactory(username="wh", role="warehouse"),
            return_request=request,
            resolution="refund",
            refund_shipping=None,
            note="",
        )
    assert not ReturnResolution.objects.exists()
