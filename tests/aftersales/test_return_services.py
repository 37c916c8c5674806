"""Return services: the rules, the quantities, the status table, the ledger effects."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from aftersales import return_inspection
from aftersales import return_services as rs
from aftersales.models import ReturnEvent, ReturnLine, ReturnRequest
from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_drift, stock_levels
from oms.models import AuditLog, OutboxMessage
from orders.reference import active_warehouses


def test_a_customer_asks_to_return_part_of_a_delivered_line(returns):
    lamp = returns.product()
    order = returns.delivered_order((lamp, 3))
    request = returns.request(order, 2, reason="damaged", reason_text="Glass broken")
    assert request.status == "requested"
    assert request.source == "customer"
    assert request.number is None
    assert request.customer_id == order.customer_id
    assert request.warehouse == returns.shanghai
    [line] = request.lines.all()
    assert line.quantity == 2
    [event] = request.events.all()
    assert (event.kind, event.from_status, event.to_status) == ("requested", "", "requested")
    assert AuditLog.objects.filter(action="return.request", object_id=str(request.pk)).exists()


def test_more_than_delivered_less_returned_is_refused(returns):
    lamp = returns.product()
    order = returns.delivered_order((lamp, 3))
    with pytest.raises(ValidationError) as refused:
        returns.request(order, 4)
    assert "only 3 can be returned" in str(refused.value)
    returns.request(order, 2)
    with pytest.raises(ValidationError) as refused:
        returns.request(order, 2)
    assert "only 1 can be returned" in str(refused.value)
    assert ReturnRequest.objects.count() == 1


def test_rejected_and_cancelled_returns_free_their_quantities(returns):
    lamp = returns.product()
    order = returns.delivered_order((lamp, 2))
    first = returns.request(order, 2)
    rs.return_reject(actor=None, request=first, reason="Not our product")
    second = returns.request(order, 2)
    rs.return_cancel(actor=None, request=second)
    third = returns.request(order, 2)
    assert third.lines.get().quantity == 2


def test_goods_not_yet_delivered_cannot_be_returned(returns):
    lamp = returns.product()
    returns.stock(lamp, returns.shanghai, 2)
    order = returns.allocated_order((lamp, 2))
    with pytest.raises(ValidationError) as refused:
        returns.request(order, 1)
    assert "0 delivered" in str(refused.value)


def test_nothing_chosen_is_refused(returns):
    order = returns.delivered_order((returns.product(), 1))
    with pytest.raises(ValidationError) as refused:
        returns.request(order, 0)
    assert "Choose at least one" in str(refused.value)
    with pytest.raises(ValidationError):
        rs.return_request_create(
            actor=None, order=order, lines={10**9: 1}, reason="defective", resolution="refund"
        )


@override_settings(OMS_RETURN_DAYS=7, OMS_RETURN_DEFECT_DAYS=30)
def test_the_return_window_depends_on_the_reason(returns):
    lamp = returns.product()
    order = returns.delivered_order((lamp, 4), days_ago=10)
    with pytest.raises(ValidationError) as refused:
        returns.request(order, 1, reason="changed_mind")
    assert "accepted for 7 days after delivery" in str(refused.value)
    # A defect has 30 days.
    returns.request(order, 1, reason="defective")
    old = returns.delivered_order((lamp, 1), days_ago=31)
    with pytest.raises(ValidationError) as refused:
        returns.request(old, 1, reason="defective")
    assert "accepted for 30 days" in str(refused.value)


def test_made_to_order_goods_come_back_only_for_faults(returns):
    lamp = returns.product()
    order = returns.delivered_order((lamp, 2))
    order.lines.update(made_to_order=True)
    for reason in ("changed_mind", "not_as_described", "other"):
        with pytest.raises(ValidationError) as refused:
            returns.request(order, 1, reason=reason, reason_text="x")
        assert "made to order" in str(refused.value)
    returns.request(order, 1, reason="wrong_item")


def test_staff_with_the_right_override_the_rules_with_an_audited_note(returns, user_with_role):
    lamp = returns.product()
    order = returns.delivered_order((lamp, 2), days_ago=20)
    sales = user_with_role("sales")
    with pytest.raises(ValidationError) as refused:
        returns.request(order, 1, reason="changed_mind", actor=sales, override_note="VIP")
    assert "override" not in str(refused.value)  # sales may not override: no hint either
    agent = user_with_role("customer_service")
    with pytest.raises(ValidationError) as refused:
        returns.request(order, 1, reason="changed_mind", actor=agent)
    assert "override note" in str(refused.value)
    request = returns.request(
        order, 1, reason="changed_mind", actor=agent, override_note="Long-standing customer"
    )
    assert request.rules_overridden
    assert request.source == "staff"
    assert request.events.filter(kind="overridden", note="Long-standing customer").exists()
    audit = AuditLog.objects.get(action="return.override", object_id=str(request.pk))
    assert audit.actor == agent
    assert audit.changes["note"] == "Long-standing customer"
    # The quantity is never overridden.
    with pytest.raises(ValidationError):
        returns.request(order, 5, reason="defective", actor=agent, override_note="please")


def test_a_role_without_the_right_cannot_create_approve_or_inspect(returns, user_with_role):
    order = returns.delivered_order((returns.product(), 2))
    with pytest.raises(PermissionDenied):
        returns.request(order, 1, actor=user_with_role("finance"))
    request = returns.request(order, 1, actor=user_with_role("sales"))
    with pytest.raises(PermissionDenied):
        rs.return_approve(actor=user_with_role("sales"), request=request)
    with pytest.raises(PermissionDenied):
        rs.return_approve(actor=user_with_role("warehouse"), request=request)


def test_approve_gives_the_rma_number_and_tells_the_customer(returns, user_with_role):
    order = returns.delivered_order((returns.product(), 2))
    request = returns.request(order, 1)
    agent = user_with_role("customer_service")
    request = rs.return_approve(actor=agent, request=request)
    assert request.status == "approved"
    assert request.number.startswith("RMA-")
    assert len(request.number) == len("RMA-2026-000001")
    assert request.number in request.instructions
    assert returns.shanghai.address in request.instructions
    assert request.decided_at is not None
    message = OutboxMessage.objects.get(event_code="return.approved")
    assert request.number in message.subject + message.body
    event = request.events.get(kind="approved")
    assert (event.actor, event.from_status, event.to_status) == (agent, "requested", "approved")
    with pytest.raises(rs.ReturnError):
        rs.return_approve(actor=agent, request=request)
    with pytest.raises(rs.ReturnError):
        rs.return_reject(actor=agent, request=request, reason="late")


def test_reject_needs_a_reason_that_the_customer_reads(returns):
    order = returns.delivered_order((returns.product(), 2))
    request = returns.request(order, 1)
    with pytest.raises(ValidationError):
        rs.return_reject(actor=None, request=request, reason="  ")
    request = rs.return_reject(actor=None, request=request, reason="Used goods")
    assert request.status == "rejected"
    assert request.number is None
    message = OutboxMessage.objects.get(event_code="return.rejected")
    assert "Used goods" in message.body


def test_return_shipment_checks_carrier_and_tracking_number(returns):
    from shipping.models import Carrier

    carrier = Carrier.objects.create(code="sf", name="SF Express")
    order = returns.delivered_order((returns.product(), 2))
    request = returns.request(order, 1)
    with pytest.raises(rs.ReturnError):  # not approved yet
        rs.return_record_shipment(
            actor=None, request=request, carrier=carrier, tracking_number="SF123456789"
        )
    request = rs.return_approve(actor=None, request=request)
    for bad in ("", "12", "SF 1234 <script>", "x" * 41):
        with pytest.raises(ValidationError):
            rs.return_record_shipment(
                actor=None, request=request, carrier=carrier, tracking_number=bad
            )
    request = rs.return_record_shipment(
        actor=None, request=request, carrier=carrier, tracking_number=" sf1234567890 "
    )
    assert request.return_tracking_number == "SF1234567890"
    assert request.status == "approved"
    assert request.events.filter(kind="shipped").count() == 1


def test_inspection_restocks_quarantines_and_scraps_with_one_ledger_effect_each(returns):
    lamp, shade, bulb = returns.product(), returns.product(), returns.product()
    order = returns.delivered_order((lamp, 2), (shade, 2), (bulb, 3))
    request = returns.received(order, 1, 2, 3)
    assert request.status == "received"
    assert OutboxMessage.objects.filter(event_code="return.received").count() == 1
    lines = {line.order_line.product: line for line in request.lines.all()}
    before = {
        p: StockLevel.objects.get(product=p, warehouse=returns.shanghai).on_hand
        for p in (lamp, shade, bulb)
    }
    line, wrote = return_inspection.return_inspect_line(
        actor=None, line=lines[lamp], disposition="restock"
    )
    assert wrote
    assert line.stock_movement.kind == "return"
    assert line.stock_movement.reference == request.number
    assert (
        StockLevel.objects.get(product=lamp, warehouse=returns.shanghai).on_hand == before[lamp] + 1
    )
    return_inspection.return_inspect_line(actor=None, line=lines[shade], disposition="quarantine")
    quarantined = StockLevel.objects.get(product=shade, warehouse=returns.quarantine)
    assert quarantined.on_hand == 2
    with pytest.raises(ValidationError):  # scrap needs a reason
        return_inspection.return_inspect_line(actor=None, line=lines[bulb], disposition="scrap")
    request.refresh_from_db()
    assert request.status == "received"
    line, _ = return_inspection.return_inspect_line(
        actor=None, line=lines[bulb], disposition="scrap", note="Cracked housing"
    )
    assert line.stock_movement.kind == "adjustment"
    assert line.stock_movement.quantity == -3
    assert line.stock_movement.note == "Cracked housing"
    assert StockLevel.objects.get(product=bulb, warehouse=returns.shanghai).on_hand == before[bulb]
    request.refresh_from_db()
    assert request.status == "inspected"
    assert request.inspected_at is not None
    assert OutboxMessage.objects.filter(event_code="return.inspected").count() == 1
    assert list(ledger_drift()) == []
    # Quarantined goods are on the stock page but never available nor allocatable.
    row = stock_levels().get(pk=quarantined.pk)
    assert row.on_hand == 2
    assert row.available == 0
    assert returns.quarantine.pk not in active_warehouses()


def test_restocking_twice_writes_one_ledger_row(returns):
    lamp = returns.product()
    order = returns.delivered_order((lamp, 2))
    request = returns.received(order, 2)
    line = request.lines.get()
    return_inspection.return_inspect_line(actor=None, line=line, disposition="restock")
    line, wrote = return_inspection.return_inspect_line(
        actor=None, line=line, disposition="restock"
    )
    assert not wrote
    assert StockMovement.objects.filter(kind="return", reference=request.number).count() == 1
    with pytest.raises(rs.ReturnError):
        return_inspection.return_inspect_line(actor=None, line=line, disposition="scrap", note="x")
    assert ReturnEvent.objects.filter(request=request, kind="inspected").count() == 2  # line + move


def test_inspection_before_receipt_is_refused(returns):
    order = returns.delivered_order((returns.product(), 2))
    request = rs.return_approve(actor=None, request=returns.request(order, 1))
    with pytest.raises(rs.ReturnError):
        return_inspection.return_inspect_line(
            actor=None, line=request.lines.get(), disposition="restock"
        )
    assert not ReturnLine.objects.exclude(disposition="").exists()


def test_receipt_at_a_quarantine_warehouse_is_refused(returns):
    order = returns.delivered_order((returns.product(), 2))
    request = rs.return_approve(actor=None, request=returns.request(order, 1))
    with pytest.raises(ValidationError):
        rs.return_receive(actor=None, request=request, warehouse=returns.quarantine)


def test_the_submission_key_makes_a_double_submit_return_the_first(returns):
    order = returns.delivered_order((returns.product(), 2))
    first = returns.request(order, 1, submission_key="k" * 32)
    again = returns.request(order, 1, submission_key="k" * 32)
    assert again.pk == first.pk
    assert ReturnRequest.objects.count() == 1
