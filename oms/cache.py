"""Django's Redis cache backend, keeping its Redis client.

Django's backend makes a new `redis.Redis` client for every call, and redis-py builds its
table of response callbacks each time: about two thirds of the CPU of a `get` (the rate
limits and circuit breakers of oms.resilience, asked on every carrier push and poll round).
A client is only a handle on its connection pool, so one per pool serves every call (a
backend instance belongs to one thread, as Django's caches do)."""

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptRedisCacheClient(RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        clients: dict[int, Any] = self.__dict__.setdefault("_kept_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptRedisCacheClient
