"""The communication log: the customer page's and the order page's cards and the /messages/
list show what was sent, when, by which channel, whether it went out and why not, newest
first, to the roles that answer customers; HTML in what customers or staff typed is escaped."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from oms.choices import OutboxStatus
from oms.communication import PANEL_ROWS
from oms.models import OutboxMessage
from oms.roles import ROLES
from tests.factories import UserFactory
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db
VIEW = "oms.view_outboxmessage"
LOG = "Communication log"


def message(customer, subject, *, order=None, minutes_ago=0, **fields):
    row = OutboxMessage.objects.create(
        dedupe_key=f"test:{subject}",
        event_code="order.confirmed",
        recipient_ref=f"customers.customer:{customer.pk}",
        recipients=[customer.email or customer.phone],
        subject=subject,
        body="…",
        about_refs=[f"orders.order:{order.pk}"] if order else [],
        **fields,
    )
    OutboxMessage.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return row


@pytest.fixture
def world(db):
    catalog = Catalog()
    product = catalog.product()
    customer = catalog.customer(email="li@example.com", name="李先生")
    other = catalog.customer(email="wang@example.com", name="王女士")
    order = catalog.order(customer, (product, 1))
    message(customer, "Older, sent", order=order, minutes_ago=30, status=OutboxStatus.SENT)
    message(
        customer,
        "Bounced",
        order=order,
        minutes_ago=10,
        status=OutboxStatus.FAILED,
        last_error="550 5.1.1 mailbox unavailable",
    )
    message(
        customer,
        "Opted out",
        minutes_ago=5,
        status=OutboxStatus.SKIPPED,
        last_error="opted out of non-essential messages",
    )
    message(other, "For somebody else", status=OutboxStatus.SENT)
    return {"customer": customer, "other": other, "order": order}


def page(client, role, url):
    client.force_login(UserFactory(username=f"log-{role}", role=role))
    return client.get(url)


def test_the_customer_page_log_newest_first_with_channel_status_and_reason(client, world):
    customer = world["customer"]
    html = page(client, "customer_service", reverse("customers:detail", args=[customer.pk]))
    html = html.content.decode()
    assert LOG in html
    log = html[html.index(LOG) :]
    positions = [log.index(s) for s in ("Opted out", "Bounced", "Older, sent")]
    assert positions == sorted(positions)  # newest first
    assert "For somebody else" not in log
    assert "550 5.1.1 mailbox unavailable" in log  # the failure, for staff
    assert "The customer opted out of messages that are not essential." in log
    assert "tone-red" in log  # failed
    assert "tone-green" in log  # sent
    assert f'href="/messages/?customer={customer.pk}"' in log


def test_the_log_in_chinese(client, world):
    client.force_login(UserFactory(username="log-zh", role="sales"))
    client.cookies["django_language"] = "zh-hans"
    url = reverse("customers:detail", args=[world["customer"].pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "沟通记录" in html
    assert "客户已选择不接收非必要消息。" in html


def test_the_card_shows_the_latest_and_links_the_full_list(client, world):
    customer = world["customer"]
    for n in range(PANEL_ROWS + 3):
        message(customer, f"Bulk {n:02d}", minutes_ago=1, status=OutboxStatus.SENT)
    html = page(client, "manager", reverse("customers:detail", args=[customer.pk]))
    log = html.content.decode()
    log = log[log.index(LOG) :]
    assert log.count("<tr") - 1 == PANEL_ROWS  # the header row and the latest ten
    full = client.get(f"/messages/?customer={customer.pk}").content.decode()
    assert all(f"Bulk {n:02d}" in full for n in range(PANEL_ROWS + 3))
    assert "Older, sent" in full
    assert "For somebody else" not in full


def test_the_order_page_lists_the_messages_about_the_order(client, world):
    order = world["order"]
    html = page(client, "sales", reverse("orders:detail", args=[order.number])).content.decode()
    log = html[html.index(LOG) :]
    assert "Bounced" in log
    assert "Older, sent" in log
    assert "Opted out" not in log  # about no order
    assert f'href="/messages/?order={order.pk}"' in log
    listed = client.get(f"/messages/?order={order.pk}").content.decode()
    assert "Bounced" in listed
    assert "Opted out" not in listed


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_sees_the_log_role_by_page(client, world, role):
    """The role × page matrix of the log: the customer page, the order page, the list."""
    allowed = VIEW in ROLES[role].permissions
    client.force_login(UserFactory(username=f"m-{role}", role=role))
    for url in (
        reverse("customers:detail", args=[world["customer"].pk]),
        reverse("orders:detail", args=[world["order"].number]),
    ):
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        assert (LOG in response.content.decode()) == allowed, (role, url)
    assert client.get("/messages/").status_code == (200 if allowed else 403), role
    assert allowed == (role in {"admin", "manager", "sales", "customer_service"})


def test_html_in_subjects_reasons_and_names_is_escaped(client, world):
    customer = world["customer"]
    message(
        customer,
        "<script>alert('s')</script>",
        status=OutboxStatus.FAILED,
        last_error="<img src=x onerror=alert('e')>",
    )
    url = reverse("customers:detail", args=[customer.pk])
    html = page(client, "manager", url).content.decode()
    assert "<script>alert('s')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;s&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    listed = client.get(f"/messages/?customer={customer.pk}").content.decode()
    assert "<script>alert('s')</script>" not in listed
    assert "<img src=x" not in listed


def test_a_message_written_by_notify_shows_in_the_log(client, world):
    """The whole path: notify writes the row, the card reads it (recipient and order refs)."""
    from orders.messages import notify_order_confirmed

    order = world["order"]
    order.customer.language, order.customer.preferred_channel = "en", "email"
    notify_order_confirmed(order)
    html = page(client, "manager", reverse("orders:detail", args=[order.number])).content.decode()
    assert f"Your order {order.number} is confirmed" in html
    assert "Pending" in html


def test_every_registered_default_passes_the_editors_checks_with_its_sample():
    """What staff could not save (a tag outside the sandbox, an SMS too long with the sample
    values) is not shipped either; every default renders its sample in its language."""
    from django.utils import translation

    from oms.messaging import render, validate_template_texts
    from oms.registry import registry

    for event in registry.message_events.values():
        for language, text in event.defaults.items():
            texts = {"subject": text.subject, "body": text.body, "sms_body": text.sms}
            validate_template_texts(event, texts)
            with translation.override(language):
                body = render(text.body, {"company": "明亮灯饰", **event.sample})
            assert body.strip(), (event.code, language)
            assert "{{" not in body, (event.code, language)
