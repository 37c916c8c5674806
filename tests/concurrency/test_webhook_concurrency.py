"""Two (eight) workers never send one webhook delivery twice: each runs in its own thread
with its own connection and real transactions, against a receiver on 127.0.0.1 that answers
slowly, so every worker reaches the row while the first is still sending it."""

import pytest
from django.utils import timezone

from orders.choices import ChannelKind
from orders.intake import outbound
from orders.intake.channels import channel_save
from orders.models import WebhookDelivery
from tests.concurrency.harness import THREADS, at_once
from tests.orders.webhook_server import WebhookReceiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        running.delay = 0.5
        yield running


def queued(receiver, n=1):
    channel = channel_save(
        actor=None,
        channel=None,
        data={
            "code": "api-partner",
            "name": "Partner",
            "kind": ChannelKind.API,
            "webhook_url": receiver.url + "/hook",
            "webhook_secret": "s",
        },
    )
    return [
        WebhookDelivery.objects.create(
            channel=channel,
            event="order.confirmed",
            event_key=f"order.confirmed:SO-{i}",
            reference=f"SO-{i}",
            payload={"i": i},
            next_attempt_at=timezone.now(),
        )
        for i in range(n)
    ]


def test_workers_racing_for_one_row_send_it_once(receiver):
    [delivery] = queued(receiver)
    results = at_once(lambda: outbound.deliver_due(delivery.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == ["sent"] + ["skipped"] * (THREADS - 1)
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_beat_jobs_running_at_once_share_the_due_rows(receiver):
    receiver.delay = 0.1
    deliveries = queued(receiver, n=6)
    results = at_once(outbound.webhooks_catch_up)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 6
    paths = [r.body for r in receiver.received]
    assert len(paths) == len(set(paths)) == 6  # each row sent once
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert {d.pk for d in deliveries} == set(WebhookDelivery.objects.values_list("pk", flat=True))
