"""A small fixed-window rate limiter on the cache, for public pages (the customer's order
page): a guesser of secret links gets slow, a customer reloading a page never notices.

With the default in-process cache each web process counts on its own; set CACHE_URL to a
shared cache (Redis) when several processes or machines serve the site.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


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
    return f"ratelimit:{scope}:{window}:{int(time.time() // window)}:{digest}"


def count_hit(scope: str, ident: str, *, window: int) -> int:
    """Count one hit of `ident` in the current window of `window` seconds; the count so far."""
    key = _key(scope, ident, window)
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        return 1


def hits(scope: str, ident: str, *, window: int) -> int:
    """The hits of `ident` in the current window, without counting one."""
    return int(cache.get(_key(scope, ident, window), 0))


def seconds_left(window: int) -> int:
    """Seconds until the current window of `window` seconds ends (a Retry-After)."""
    return window - int(time.time()) % window
