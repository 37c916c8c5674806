"""The webhook delivery log and its resend button: only managers and admins, POST only, a
delivery that does not exist is a 404, a double click queues once, and the webhook secret
never leaves the server (pages, the edit form, the log, the audit trail)."""

import pytest

from oms.models import AuditLog
from orders.intake.channels import channel_save
from orders.models import Channel, WebhookDelivery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "whsec-do-not-show-8f3a2c"


@pytest.fixture
def channel():
    return channel_save(
        actor=None,
        channel=None,
        data={
            "code": "shop-sec",
            "name": "Shop Sec",
            "kind": "shopify",
            "webhook_url": "https://hooks.example.com/oms",
            "webhook_secret": WEBHOOK_SECRET,
        },
    )


@pytest.fixture
def failed(channel):
    return WebhookDelivery.objects.create(
        channel=channel,
        event="order.shipped",
        event_key="order.shipped:SH-1",
        reference="SO-2026-000001",
        payload={"order": {"number": "SO-2026-000001"}},
        status="failed",
        attempts=6,
        last_status_code=500,
        last_error="HTTP 500",
    )


@pytest.mark.parametrize(
    "role", ["sales", "reviewer", "warehouse", "finance", "logistics", "customer_service"]
)
def test_other_roles_neither_see_the_log_nor_resend(client, failed, role):
    client.force_login(UserFactory(username=f"wh-{role}", role=role))
    assert client.get("/channels/webhooks/").status_code == 403
    assert client.get(f"/channels/webhooks/?channel={failed.channel_id}").status_code == 403
    assert client.post(f"/channels/webhooks/{failed.pk}/resend/").status_code == 403
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 6)
    assert not AuditLog.objects.filter(action="webhook.resend").exists()


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_resend_and_it_is_audited(client, failed, role):
    user = UserFactory(username=f"wh-{role}", role=role)
    client.force_login(user)
    page = client.get("/channels/webhooks/?status=failed")
    assert page.status_code == 200
    assert f"/channels/webhooks/{failed.pk}/resend/" in page.content.decode()
    response = client.post(f"/channels/webhooks/{failed.pk}/resend/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert AuditLog.objects.get(action="webhook.resend").actor == user


def test_resend_is_post_only_and_a_missing_delivery_is_404(client, failed):
    client.force_login(UserFactory(username="wh-mgr", role="manager"))
    assert client.get(f"/channels/webhooks/{failed.pk}/resend/").status_code == 405
    assert client.post("/channels/webhooks/999999/resend/").status_code == 404
    # An unknown channel in the filter is a filter error: an empty list, never a 500.
    assert client.get("/channels/webhooks/?channel=999999").status_code in (200, 400)


def test_a_double_click_queues_once(client, failed):
    client.force_login(UserFactory(username="wh-mgr2", role="manager"))
    client.post(f"/channels/webhooks/{failed.pk}/resend/")
    second = client.post(f"/channels/webhooks/{failed.pk}/resend/", follow=True)
    assert "queued already" in second.content.decode()
    assert AuditLog.objects.filter(action="webhook.resend").count() == 1


def test_bad_filters_show_nothing_and_never_fail(client, failed):
    client.force_login(UserFactory(username="wh-mgr3", role="manager"))
    for query in ("status=nonsense", "event=%00", "target=x&page=-1", "q=" + "'" * 300):
        response = client.get(f"/channels/webhooks/?{query}")
        assert response.status_code in (200, 400), query


def test_the_webhook_secret_is_never_shown(client, channel, failed):
    client.force_login(UserFactory(username="wh-admin", role="admin"))
    pages = [
        f"/channels/{channel.pk}/",
        f"/channels/{channel.pk}/edit/",
        f"/channels/webhooks/?channel={channel.pk}",
        "/channels/webhooks/",
        "/channels/webhooks/?export=csv",
        "/channels/?export=csv",
    ]
    for url in pages:
        response = client.get(url)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        assert response.status_code == 200, url
        assert WEBHOOK_SECRET not in body, url
    # Saving the form with the secret left empty keeps it.
    response = client.post(
        f"/channels/{channel.pk}/edit/",
        {
            "name": "Shop Sec",
            "prices_include_tax": "",
            "customer_group": "retail",
            "endpoint": "",
            "webhook_url": "https://hooks.example.com/v2",
            "webhook_secret": "",
            "secret": "",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get(pk=channel.pk)
    assert channel.webhook_secret == WEBHOOK_SECRET
    assert channel.webhook_url == "https://hooks.example.com/v2"
    for row in AuditLog.objects.filter(object_type="orders.channel"):
        assert WEBHOOK_SECRET not in str(row.changes)
    assert AuditLog.objects.filter(action="channel.secret").exists()
