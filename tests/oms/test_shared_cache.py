"""The shared cache (oms.resilience's rate limits and circuit breakers) on Redis keeps one
client per connection pool instead of making one per call (oms/cache.py)."""

import pytest
from django.core.cache import caches

from oms.cache import RedisCache


def test_the_redis_backend_keeps_its_client_and_still_works():
    cache = caches["shared"]
    if not isinstance(cache, RedisCache):
        pytest.skip("the shared cache is not Redis here")
    client = cache._cache
    assert client.get_client("a") is client.get_client("b")
    assert client.get_client("a", write=True) is client.get_client("b", write=True)
    cache.set("kept-client-test", 41, 30)
    assert cache.incr("kept-client-test") == 42
    assert cache.add("kept-client-test", 1, 30) is False
    cache.delete("kept-client-test")
    assert cache.get("kept-client-test") is None
