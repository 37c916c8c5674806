"""kombu's Redis transport, keeping its Redis client (CELERY_BROKER_TRANSPORT when the broker
is Redis).

kombu's channel makes a new `redis.Redis` for every publish (and every other command outside
the consumer's poll), and redis-py builds its table of response callbacks each time: a
fifth of a task's publish CPU, paid after every commit that queues a task (a payment's
receipt message). A client is only a handle on the channel's connection pool, so one per
pool serves every command; the pool's sockets were kept already. A new pool (after a fork,
or the channel reopened) gets a new client.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    _kept_client: Any = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        pool = self.pool
        kept = self._kept_client
        if kept is None or kept.connection_pool is not pool:
            kept = self._kept_client = self._create_client()
        yield kept


class Transport(redis.Transport):
    Channel = Channel
