"""Customer messages: notify() writes to the outbox in the caller's transaction, in the
customer's language and channel, and records what it cannot send."""

from datetime import date

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from oms import sms
from oms.choices import OutboxStatus
from oms.messaging import notify, sync_message_templates
from oms.models import MessageTemplate, OutboxMessage
from oms.registry import MessageEvent, MessageText, registry
from oms.sms import SmsTooLong, sms_parts
from oms.tasks import deliver_outbox_message
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CONFIRMED = "order.confirmed"
CONTEXT = {
    "order_number": "SO-2026-000042",
    "customer_name": "杭州光明灯具",
    "total": "¥1,280.00",
    "requested_delivery_date": date(2026, 12, 8),
}


@pytest.fixture
def pickup_event():
    """An essential event of a test's own, registered like an app would."""
    event = MessageEvent(
        code="test.pickup_code",
        label="Pickup code",
        essential=True,
        defaults={
            "en": MessageText(
                "Pickup code {{ code }}", "Your pickup code is {{ code }}.", "Code {{ code }}"
            ),
            "zh-hans": MessageText(
                "取件码 {{ code }}", "您的取件码是 {{ code }}。", "取件码{{ code }}"
            ),
        },
        sample={"code": "123456"},
    )
    registry.message_events[event.code] = event
    sync_message_templates()
    yield event
    del registry.message_events[event.code]


def customer(**kwargs):
    defaults = {"email": "buyer@example.com", "language": "zh-hans", "preferred_channel": "email"}
    return CustomerFactory(**{**defaults, **kwargs})


def test_templates_come_from_the_registrations_after_migrate():
    rows = MessageTemplate.objects.filter(event_code=CONFIRMED)
    assert sorted(rows.values_list("language", flat=True)) == ["en", "zh-hans"]
    assert "已确认" in rows.get(language="zh-hans").subject


def test_notify_writes_a_pending_row_in_the_callers_transaction(django_capture_on_commit_callbacks):
    buyer = customer()
    with django_capture_on_commit_callbacks() as callbacks:
        message = notify(buyer, CONFIRMED, CONTEXT, key="42")
    assert message.status == OutboxStatus.PENDING
    assert message.channel == "email"
    assert message.recipients == ["buyer@example.com"]
    assert message.recipient_ref == f"customers.customer:{buyer.pk}"
    assert message.subject == "您的订单 SO-2026-000042 已确认"
    assert "2026年12月8日" in message.body  # dates in the customer's language
    assert len(callbacks) == 1  # delivery starts only after commit

    # The same event, customer and key again: nothing new.
    assert notify(buyer, CONFIRMED, CONTEXT, key="42") is None
    assert OutboxMessage.objects.count() == 1


def test_a_rolled_back_caller_leaves_no_message(django_capture_on_commit_callbacks):
    buyer = customer()

    def confirm_then_fail():
        with transaction.atomic():
            notify(buyer, CONFIRMED, CONTEXT, key="1")
            raise RuntimeError("the order could not be confirmed after all")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        confirm_then_fail()
    assert not OutboxMessage.objects.exists()
    assert callbacks == []


def test_the_customers_language_decides_the_wording():
    english = notify(customer(language="en"), CONFIRMED, CONTEXT)
    assert english.subject == "Your order SO-2026-000042 is confirmed"
    assert english.language == "en"
    assert "2026-12-08" in english.body
    chinese = notify(customer(language="zh-hans"), CONFIRMED, CONTEXT)
    assert chinese.language == "zh-hans"
    assert chinese.subject.startswith("您的订单")


def test_sms_customers_get_the_short_text():
    message = notify(customer(preferred_channel="sms", phone="13900001111"), CONFIRMED, CONTEXT)
    assert message.channel == "sms"
    assert message.recipients == ["13900001111"]
    assert message.body.startswith("【Demo Lighting & Home Co.】您的订单SO-2026-000042")
    assert message.html_body == ""


def test_no_address_for_the_preferred_channel_uses_the_other_one():
    message = notify(customer(preferred_channel="email", email=""), CONFIRMED, CONTEXT)
    assert message.channel == "sms"
    assert message.status == OutboxStatus.PENDING


def test_no_address_at_all_is_recorded_not_raised():
    message = notify(customer(email="", phone=""), CONFIRMED, CONTEXT)
    assert message.status == OutboxStatus.SKIPPED
    assert message.last_error == "no e-mail address or phone number"


def test_opted_out_customers_get_only_essential_messages(pickup_event):
    buyer = customer(opt_out_non_essential=True)
    courtesy = notify(buyer, CONFIRMED, CONTEXT)
    assert courtesy.status == OutboxStatus.SKIPPED
    assert courtesy.last_error == "opted out of non-essential messages"
    assert courtesy.body == ""
    essential = notify(buyer, pickup_event.code, {"code": "884213"})
    assert essential.status == OutboxStatus.PENDING
    assert essential.body == "您的取件码是 884213。"


def test_a_missing_template_is_recorded_not_raised():
    MessageTemplate.objects.filter(event_code=CONFIRMED, language="en").delete()
    message = notify(customer(language="en"), CONFIRMED, CONTEXT)
    assert message.status == OutboxStatus.SKIPPED
    assert message.last_error == "no email template in en"
    MessageTemplate.objects.filter(event_code=CONFIRMED).update(sms_body="")
    message = notify(customer(preferred_channel="sms"), CONFIRMED, CONTEXT)
    assert message.status == OutboxStatus.SKIPPED
    assert message.last_error == "no sms template in zh-hans"


def test_an_unregistered_event_is_a_programming_error():
    with pytest.raises(LookupError):
        notify(customer(), "no.such_event", {})


def test_a_template_that_no_longer_renders_is_recorded():
    MessageTemplate.objects.filter(event_code=CONFIRMED).update(body="{% load static %}")
    message = notify(customer(), CONFIRMED, CONTEXT)
    assert message.status == OutboxStatus.SKIPPED
    assert message.last_error.startswith("template does not render")


# --- SMS length: split into a concatenated SMS, refused past OMS_SMS_MAX_PARTS -------------


def test_a_chinese_sms_fits_70_characters():
    assert sms_parts("好" * 70) == ["好" * 70]
    parts = sms_parts("好" * 71)
    assert [len(p) for p in parts] == [67, 4]  # concatenated SMS: 67 per part
    assert "".join(parts) == "好" * 71


def test_a_latin_sms_fits_160_characters():
    assert sms_parts("a" * 160) == ["a" * 160]
    assert [len(p) for p in sms_parts("a" * 161)] == [153, 8]
    assert len(sms_parts("a" * 159 + "好")) == 3  # one Chinese character: 70 per SMS


def test_an_emoji_takes_two_of_the_70_and_is_never_cut():
    assert len(sms_parts("好" * 68 + "😀")) == 1
    parts = sms_parts("好" * 66 + "😀" + "好" * 3)  # 71 units: two parts, 67 units at most each
    assert parts == ["好" * 66, "😀好好好"]
    # A lone surrogate (text from a broken source) is the one unit it is, and does not fail.
    assert sms_parts("好" * 69 + "\ud800") == ["好" * 69 + "\ud800"]
    assert [len(p) for p in sms_parts("好" * 70 + "\ud800")] == [67, 4]


def test_more_parts_than_allowed_are_refused():
    assert len(sms_parts("好" * 67 * 5)) == 5
    with pytest.raises(SmsTooLong):
        sms_parts("好" * (67 * 5 + 1))


@override_settings(OMS_SMS_MAX_PARTS=1)
def test_a_text_too_long_for_sms_is_recorded_not_sent():
    MessageTemplate.objects.filter(event_code=CONFIRMED).update(sms_body="好" * 71)
    message = notify(customer(preferred_channel="sms"), CONFIRMED, CONTEXT)
    assert message.status == OutboxStatus.SKIPPED
    assert message.last_error.startswith("too long for SMS: 2 SMS parts")


# --- delivery ------------------------------------------------------------------------------


@override_settings(OMS_SMS_BACKEND="oms.sms.LocmemBackend")
def test_delivery_by_channel():
    sms.outbox.clear()
    by_mail = notify(customer(language="en"), CONFIRMED, CONTEXT)
    by_sms = notify(customer(preferred_channel="sms", phone="13900002222"), CONFIRMED, CONTEXT)
    assert deliver_outbox_message(by_mail.pk) == OutboxStatus.SENT
    assert deliver_outbox_message(by_sms.pk) == OutboxStatus.SENT
    assert mail.outbox[-1].subject == "Your order SO-2026-000042 is confirmed"
    html, mime = mail.outbox[-1].alternatives[0]
    assert mime == "text/html"
    assert "SO-2026-000042" in html
    assert [(m.to, m.text) for m in sms.outbox] == [("13900002222", by_sms.body)]


def test_sync_keeps_staff_edits_and_follows_new_defaults():
    MessageTemplate.objects.filter(event_code=CONFIRMED, language="en").update(
        subject="Edited", is_customised=True
    )
    MessageTemplate.objects.filter(event_code=CONFIRMED, language="zh-hans").update(
        subject="an old default"
    )
    assert sync_message_templates() == 1
    rows = MessageTemplate.objects.filter(event_code=CONFIRMED)
    assert rows.get(language="en").subject == "Edited"
    assert rows.get(language="zh-hans").subject == "您的订单 {{ order_number }} 已确认"
