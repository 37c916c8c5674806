"""A manager reads what was sent to a channel and sends a failed webhook again, in the
browser (Debian's chromium driven by Playwright); screenshots at 1280 px land in test-results/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from orders.intake.channels import channel_save
from orders.models import WebhookDelivery
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in
from tests.factories import UserFactory

SECRET = "whsec-e2e-never-shown"


def deliveries(channel):
    now = timezone.now()
    rows = [
        ("order.confirmed", "SO-2026-000311", "sent", 1, 200, ""),
        ("order.shipped", "SO-2026-000311", "sent", 2, 200, ""),
        ("order.shipped", "SO-2026-000312", "failed", 6, 503, "HTTP 503"),
        ("order.delivered", "SO-2026-000305", "sent", 1, 200, ""),
        ("order.cancelled", "SO-2026-000318", "pending", 2, None, "timed out"),
        ("order.refunded", "SO-2026-000318", "sent", 1, 204, ""),
    ]
    for index, (event, number, status, attempts, code, error) in enumerate(rows):
        WebhookDelivery.objects.create(
            channel=channel,
            event=event,
            event_key=f"{event}:{number}:{index}",
            reference=number,
            payload={"order": {"number": number}},
            status=status,
            attempts=attempts,
            last_status_code=code,
            last_error=error,
            last_attempt_at=now - timedelta(minutes=index * 7),
            sent_at=now - timedelta(minutes=index * 7) if status == "sent" else None,
            next_attempt_at=now + timedelta(minutes=25) if status == "pending" else None,
        )


@pytest.mark.django_db(transaction=True)
def test_manager_reads_the_log_and_resends_a_failed_webhook(page: Page, live_server):
    UserFactory(username="chen", role="manager")
    channel = channel_save(
        actor=None,
        channel=None,
        data={
            "code": "shopify-cn",
            "name": "天猫旗舰店 Shopify",
            "kind": "shopify",
            "endpoint": "https://shop.example.com/admin/api/2024-10",
            "webhook_url": "https://shop.example.com/oms/webhooks",
            "webhook_secret": SECRET,
        },
    )
    deliveries(channel)
    page.set_viewport_size({"width": 1280, "height": 900})
    base = live_server.url
    sign_in(page, base, "chen")

    page.goto(f"{base}/channels/{channel.pk}/")
    expect(page.locator("body")).to_contain_text("Webhooks we send")
    assert SECRET not in page.content()
    shot(page, "webhooks-channel-1280")

    page.click("text=Webhook deliveries")
    expect(page.locator("h1")).to_contain_text("Webhooks of 天猫旗舰店 Shopify")
    expect(page.locator("tbody tr")).to_have_count(6)
    assert SECRET not in page.content()
    # One channel's log: the title names it, no column repeats it on every row.
    expect(page.locator("thead")).not_to_contain_text("Channel")
    shot(page, "webhooks-log-1280")

    # In Chinese: one channel's log (as its page links it) shows every row's Resend button
    # within the table at 1280 px, the dates breaking only between date and time.
    page.click("text=简体中文")
    page.goto(f"{base}/channels/webhooks/?channel={channel.pk}")
    box = page.locator(".table-responsive").first.bounding_box()
    for button in page.locator("tbody button").all():
        assert (
            button.bounding_box()["x"] + button.bounding_box()["width"] <= box["x"] + box["width"]
        )
    shot(page, "webhooks-channel-log-zh-1280")
    # The whole log keeps each channel on one line, cut short, whole in its title.
    page.goto(f"{base}/channels/webhooks/")
    name = page.locator("tbody tr").first.locator("a.oms-cell-name")
    expect(name).to_have_attribute("title", "天猫旗舰店 Shopify")
    event = page.locator("tbody tr").first.locator("td").nth(2)
    assert name.bounding_box()["height"] < 30, "the channel wraps"
    assert event.inner_text() == "订单已退款"
    assert event.locator("xpath=.").evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    shot(page, "webhooks-log-zh-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.locator("tbody tr").first.locator("a.oms-cell-name").bounding_box()["height"] < 30
    shot(page, "webhooks-log-zh-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("text=English")

    page.goto(f"{base}/channels/webhooks/?status=failed")
    expect(page.locator("tbody tr")).to_have_count(1)
    page.click("button:has-text('Resend')")
    expect(page.locator(".alert-success")).to_contain_text("queued to be sent again")
    failed = WebhookDelivery.objects.get(reference="SO-2026-000312")
    assert (failed.status, failed.attempts) == ("pending", 0)
    shot(page, "webhooks-resent-1280")
