"""Publishing tasks on a Redis broker: the channel keeps one Redis client per connection pool
(oms/broker_redis.py), and a broker that cannot be reached loses no outbox message (the
payment's test in tests/billing/test_billing_messages.py)."""

import contextlib
import socket

import pytest
from django.conf import settings
from kombu import Producer

from oms import broker_redis, celery_app

QUEUE = "kept-client-test"


def redis_broker() -> None:
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("the broker is not Redis here")


def closed_port() -> int:
    """A local port nothing listens on (taken from the system, then given back)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fresh_pools() -> None:
    # What Celery does after a fork: the next publish opens its connection anew.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_unreachable(monkeypatch):
    """Celery's broker is a Redis port nothing answers on while the block runs (a publish
    fails at once instead of retrying)."""
    redis_broker()
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{closed_port()}/0")
    retry = celery_app.conf.task_publish_retry
    celery_app.conf.task_publish_retry = False
    _fresh_pools()
    try:
        yield
    finally:
        monkeypatch.delenv("CELERY_BROKER_URL")
        celery_app.conf.task_publish_retry = retry
        _fresh_pools()


def queued_tasks(queue: str) -> list[tuple[str, list]]:
    """Take the messages waiting on a queue of the broker: (task name, arguments) each."""
    found = []
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            args, _kwargs, _embed = message.decode()
            found.append((message.headers["task"], args))
    return found


def test_the_broker_channel_keeps_one_redis_client_per_pool():
    redis_broker()
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        assert isinstance(channel, broker_redis.Channel)
        channel.queue_purge(QUEUE)
        producer = Producer(channel)
        with channel.conn_or_acquire() as first:
            producer.publish({"n": 1}, routing_key=QUEUE)
        with channel.conn_or_acquire() as second:
            producer.publish({"n": 2}, routing_key=QUEUE)
        assert first is second
        # A new pool (after a fork, the channel reopened) gets a client of its own.
        channel._disconnect_pools()
        with channel.conn_or_acquire() as third:
            producer.publish({"n": 3}, routing_key=QUEUE)
        assert third is not first
        assert third.connection_pool is channel.pool
        taken = []
        while (message := channel.basic_get(QUEUE, no_ack=True)) is not None:
            taken.append(message.decode())
        assert taken == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_celery_queues_tasks_through_the_transport():
    from oms.tasks import deliver_outbox_message

    redis_broker()
    queued_tasks("notifications")
    deliver_outbox_message.delay(101)
    deliver_outbox_message.delay(102)
    assert queued_tasks("notifications") == [
        ("oms.tasks.deliver_outbox_message", [101]),
        ("oms.tasks.deliver_outbox_message", [102]),
    ]
