"""Shipping tells customers when their parcel leaves, is out for delivery, arrives or runs into
a problem: once per shipment and event, in their language and channel, respecting opt-out."""

import logging
from datetime import date

import pytest
from django.db import transaction

from oms.choices import OutboxStatus
from oms.logredact import RedactSecretPaths
from oms.messaging import render
from oms.models import AuditLog, MessageTemplate, OutboxMessage
from oms.sms import sms_parts
from oms.tasks import deliver_outbox_message
from orders.choices import ChannelCode
from orders.models import Order
from shipping import services
from shipping.messages import SHIPMENT_MESSAGES, notify_shipment_status
from shipping.permissions import ShipmentAction

A = ShipmentAction


def packed_shipment(shipping, **customer):
    product = shipping.product("88.00")
    order = shipping.allocated_order(
        (product, 1),
        stock=[(product, shipping.shanghai, 5)],
        customer=shipping.customer(**customer),
    )
    [shipment] = shipping.packed(order)
    return shipment


def progress(shipment, *actions, note="door locked"):
    for action in actions:
        services.shipment_record_progress(actor=None, shipment=shipment, action=action, note=note)


def shipment_codes():
    rows = OutboxMessage.objects.filter(event_code__startswith="shipment.").order_by("id")
    return list(rows.values_list("event_code", flat=True))


def test_each_event_is_told_once_with_tracking_and_the_order_page(shipping):
    shipment = packed_shipment(
        shipping, email="li@example.com", language="en", preferred_channel="email"
    )
    services.shipment_dispatch(
        actor=None, shipment=shipment, details=shipping.details("SF5566778899")
    )
    dispatched = OutboxMessage.objects.get(event_code="shipment.dispatched")
    order = Order.objects.get(pk=shipment.order_id)
    assert dispatched.status == OutboxStatus.PENDING
    assert dispatched.recipients == ["li@example.com"]
    assert dispatched.subject == f"Your order {order.number} is on its way"
    assert "SF5566778899" in dispatched.body
    assert "SF Express" in dispatched.body
    assert f"/track/{order.public_token}/" in dispatched.body
    assert "We expect it to arrive on" in dispatched.body

    # Out for delivery twice (a second attempt), a problem, then delivered; replaying the
    # dispatch's message call sends nothing new either.
    progress(shipment, A.IN_TRANSIT, A.OUT_FOR_DELIVERY, A.IN_TRANSIT, A.OUT_FOR_DELIVERY)
    progress(shipment, A.EXCEPTION, A.DELIVERED)
    shipment.refresh_from_db()
    shipment.status = "dispatched"
    notify_shipment_status(shipment)
    assert shipment_codes() == [
        "shipment.dispatched",
        "shipment.out_for_delivery",
        "shipment.exception",
        "shipment.delivered",
    ]
    exception = OutboxMessage.objects.get(event_code="shipment.exception")
    assert "door locked" not in exception.body  # what staff typed stays inside


def test_messages_follow_language_channel_and_opt_out(shipping):
    shipment = packed_shipment(
        shipping,
        phone="13900001111",
        language="zh-hans",
        preferred_channel="sms",
        opt_out_non_essential=True,
    )
    services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details())
    progress(shipment, A.OUT_FOR_DELIVERY, A.EXCEPTION, A.DELIVERED)
    rows = {row.event_code: row for row in OutboxMessage.objects.all()}
    # Essential: the dispatch (tracking number) and a problem reach an opted-out customer.
    assert rows["shipment.dispatched"].status == OutboxStatus.PENDING
    assert rows["shipment.dispatched"].channel == "sms"
    assert rows["shipment.dispatched"].recipients == ["13900001111"]
    assert "已由SF Express发出" in rows["shipment.dispatched"].body
    assert rows["shipment.exception"].status == OutboxStatus.PENDING
    # Courtesies do not.
    for code in ("shipment.out_for_delivery", "shipment.delivered"):
        assert rows[code].status == OutboxStatus.SKIPPED
        assert "opted out" in rows[code].last_error


def test_a_shop_platforms_orders_are_told_by_the_platform(shipping):
    shipment = packed_shipment(shipping, email="buyer@example.com")
    Order.objects.filter(pk=shipment.order_id).update(channel=ChannelCode.MARKETPLACE)
    services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details())
    assert shipment_codes() == []


def test_a_rolled_back_dispatch_tells_nobody(shipping):
    shipment = packed_shipment(shipping, email="li@example.com")

    def dispatch_then_fail():
        with transaction.atomic():
            services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details())
            raise RuntimeError("the carrier's system refused the booking")

    with pytest.raises(RuntimeError):
        dispatch_then_fail()
    assert shipment_codes() == []


REALISTIC = {
    "order_number": "SO-2026-004711",
    "customer_name": "杭州明辉灯饰有限公司",
    "carrier": "中通快递",
    "tracking_number": "78801234567890",
    "expected_delivery": date(2026, 12, 18),
    "order_url": "https://shop.example.cn/track/Hq3v8mJ0cW2nXyZ5aB7dE9fG1hK4lM6p/",
    "company": "明辉照明",
}


@pytest.mark.parametrize("event", sorted(SHIPMENT_MESSAGES.values(), key=lambda e: e.code))
def test_the_chinese_sms_fits_one_message(event, db):
    """One SMS each; the dispatch's carries the order page's link too: two parts in Chinese
    (three in English when the names in it are Chinese)."""
    with_link = event.code == "shipment.dispatched"
    for context in (REALISTIC, event.sample):
        sms = " ".join(render(event.defaults["zh-hans"].sms, context).split())
        assert len(sms_parts(sms)) == (2 if with_link else 1), (event.code, len(sms), sms)
        assert context["order_number"] in sms
        assert (context["order_url"] in sms) is with_link
    english = " ".join(render(event.defaults["en"].sms, REALISTIC).split())
    if with_link:
        assert len(sms_parts(english)) <= 3, (event.code, english)
    else:
        assert len(english) <= 160, (event.code, english)
    assert (REALISTIC["order_url"] in english) is with_link


def test_the_dispatch_sms_links_the_order_page_and_no_log_holds_its_token(
    shipping, settings, capsys, caplog
):
    settings.OMS_SMS_BACKEND = "oms.sms.ConsoleBackend"
    shipment = packed_shipment(
        shipping, phone="13900002222", language="zh-hans", preferred_channel="sms"
    )
    with caplog.at_level(logging.DEBUG):
        services.shipment_dispatch(actor=None, shipment=shipment, details=shipping.details())
        row = OutboxMessage.objects.get(event_code="shipment.dispatched")
        token = Order.objects.get(pk=shipment.order_id).public_token
        assert token
        assert row.channel == "sms"
        assert f"/track/{token}/" in row.body  # the customer's phone gets the whole link
        assert deliver_outbox_message(row.pk) == OutboxStatus.SENT
    printed = capsys.readouterr().out
    assert "查看进度：" in printed
    assert "/track/[redacted]/" in printed
    assert token not in printed
    redacting = RedactSecretPaths()
    for record in caplog.records:  # as the console handler of settings.LOGGING writes them
        redacting.filter(record)
        assert token not in record.getMessage()
    assert token not in str(list(AuditLog.objects.values_list("changes", "object_repr")))


def test_the_templates_exist_in_both_languages_for_staff_to_edit(db):
    for event in SHIPMENT_MESSAGES.values():
        assert set(
            MessageTemplate.objects.filter(event_code=event.code).values_list("language", flat=True)
        ) == {"en", "zh-hans"}
