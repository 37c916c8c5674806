"""A small fixed-window rate limiter on the cache, for public pages (the customer's order
page): a guesser of secret links gets slow, a customer reloading a page never notices.

It counts in the "shared" cache (settings: SHARED_CACHE_URL, else the local Redis when the
broker is Redis, else files under var/), never in the per-process default cache: gunicorn
runs several workers, and a limit each of them counted on its own would let a guesser through
N times as fast. Redis counts atomically (INCR); the file cache, for a machine without Redis,
is shared by the processes of one machine and may lose a count when two workers hit the same
key at the same instant (a limiter may be a little generous, never stricter). Several machines
need SHARED_CACHE_URL pointing at one Redis.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest

CACHE_ALIAS = "shared"
KEY_PREFIX = "ratelimit:"


def limiter_cache() -> BaseCache:
    """The cache every process counts in."""
    return caches[CACHE_ALIAS]


def forget_counts() -> int:
    """Forget every count (tests start clean; an operator after a false alarm). On Redis only
    the limiter's keys of this checkout go; another backend is cleared whole (with the other
    shared state: circuit breakers start closed again). Returns the keys removed, or -1."""
    cache = limiter_cache()
    client_of = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client_of is None:
        cache.clear()
        return -1
    client = client_of(write=True)
    keys = list(client.scan_iter(match=cache.make_key(KEY_PREFIX + "*"), count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


def client_address(request: HttpRequest) -> str:
    """The client's address, read like django-axes reads it: the proxy's X-Forwarded-For
    only where the proxy is trusted (TRUST_PROXY_HEADERS)."""
    for key in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        value = request.META.get(key, "")
        if value:
            return value.split(",")[0].strip()
    return ""


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}{scope}:{window}:{int(time.time() // window)}:{digest}"


def count_hit(scope: str, ident: str, *, window: int) -> int:
    """Count one hit of `ident` in the current window of `window` seconds; the count so far."""
    key = _key(scope, ident, window)
    cache = limiter_cache()
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        return 1


def hits(scope: str, ident: str, *, window: int) -> int:
    """The hits of `ident` in the current window, without counting one."""
    return int(limiter_cache().get(_key(scope, ident, window), 0))


def seconds_left(window: int) -> int:
    """Seconds until the current window of `window` seconds ends (a Retry-After)."""
    return window - int(time.time()) % window
