"""Calling outside systems without letting one of them hold up the rest: a rate limit, a circuit
breaker and exponential backoff, each keyed by a name (a carrier, a payment provider).

Their state lives in the "shared" cache (Redis, or files under var/; see settings.CACHES), so
every worker process sees the same limit and the same open circuit. Nothing here waits long:
a caller told "not now" leaves the work for a later run instead of blocking its worker.

    breaker = CircuitBreaker("carrier:SF")
    if not breaker.allow():
        return  # the carrier is down; try again after its cool-down
    try:
        answer = call()
    except OSError:
        breaker.record_failure()
        raise
    breaker.record_success()
"""

import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache


def shared_cache() -> BaseCache:
    return caches["shared"]


def backoff_delay(
    attempt: int, *, base: float, cap: float, jitter: float = 0.0, rng: random.Random | None = None
) -> float:
    """Seconds to wait before try `attempt` (1 for the first retry): base doubled each time,
    at most cap, plus up to `jitter` of itself at random so retries spread out."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    if jitter:
        delay += delay * jitter * (rng or random).random()
    return delay


def _increment(cache: BaseCache, key: str, timeout: float, by: int = 1) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key, by)
    except ValueError:  # expired between add and incr
        cache.add(key, by, timeout=timeout)
        return by


@dataclass
class RateLimit:
    """At most `limit` calls per `window` seconds for `name`, counted across processes in
    fixed windows."""

    name: str
    limit: int
    window: int = 1

    def _key(self) -> str:
        return f"rate:{self.name}:{int(time.time()) // self.window}"

    def try_acquire(self) -> bool:
        return _increment(shared_cache(), self._key(), timeout=self.window + 2) <= self.limit

    def exhausted(self) -> bool:
        """Is this window's allowance used up (without taking a place)?"""
        return int(shared_cache().get(self._key(), 0)) >= self.limit

    def acquire(self, *, wait: float = 1.5) -> bool:
        """Take a call's place, waiting up to `wait` seconds for the next window."""
        return self.acquire_many(1, wait=wait) == 1

    def acquire_many(self, count: int, *, wait: float = 1.5) -> int:
        """Take up to `count` places with one count in the cache (a round of calls), waiting
        up to `wait` seconds for the next window when none is left; returns how many."""
        deadline = time.monotonic() + wait
        while True:
            used = _increment(shared_cache(), self._key(), timeout=self.window + 2, by=count)
            taken = max(0, min(count, self.limit - (used - count)))
            if taken:
                return taken
            pause = self.window - (time.time() % self.window) + 0.001
            if time.monotonic() + pause > deadline:
                return 0
            time.sleep(pause)


@dataclass
class BreakerState:
    state: str  # "closed", "open" or "half-open"
    failures: int
    opened: int  # how many times in a row it opened (its cool-down doubles each time)
    retry_at: float | None  # when an open circuit lets a trial call through (epoch seconds)


class CircuitBreaker:
    """Closed: calls go through and failures in a row are counted. After `failures` of them
    it opens: calls are refused at once for the cool-down (doubled each time it opens again,
    up to `max_cool_down`). Then one trial call goes through (half-open): a success closes
    it, a failure opens it again."""

    def __init__(
        self,
        name: str,
        *,
        failures: int | None = None,
        cool_down: float | None = None,
        max_cool_down: float | None = None,
    ) -> None:
        self.name = name
        self.threshold = failures or settings.OMS_TRACKING_BREAKER_FAILURES
        self.cool_down = cool_down or settings.OMS_TRACKING_BREAKER_COOL_DOWN
        self.max_cool_down = max_cool_down or settings.OMS_TRACKING_BREAKER_MAX_COOL_DOWN
        self.cache = shared_cache()
        # Kept a day past the longest cool-down: an idle breaker forgets, a busy one does not.
        self.keep = self.max_cool_down + 86400

    def _key(self, part: str) -> str:
        return f"breaker:{self.name}:{part}"

    def state(self) -> BreakerState:
        values = self.cache.get_many([self._key(k) for k in ("failures", "opened", "retry_at")])
        failures = int(values.get(self._key("failures"), 0))
        opened = int(values.get(self._key("opened"), 0))
        retry_at = values.get(self._key("retry_at"))
        if retry_at is None:
            return BreakerState("closed", failures, opened, None)
        if time.time() < retry_at:
            return BreakerState("open", failures, opened, retry_at)
        return BreakerState("half-open", failures, opened, retry_at)

    def allow(self) -> bool:
        """May a call go now? While half-open, only one caller (across processes) gets the
        trial; the others are refused until it reports."""
        current = self.state()
        if current.state == "closed":
            return True
        if current.state == "open":
            return False
        return self.cache.add(self._key("trial"), 1, timeout=max(5.0, self.cool_down))

    def record_success(self) -> None:
        self.cache.delete_many([self._key(k) for k in ("failures", "opened", "retry_at", "trial")])

    def record_failure(self) -> None:
        failures = _increment(self.cache, self._key("failures"), self.keep)
        half_open = self.cache.get(self._key("retry_at")) is not None
        if failures >= self.threshold or half_open:
            opened = _increment(self.cache, self._key("opened"), self.keep)
            wait = backoff_delay(opened, base=self.cool_down, cap=self.max_cool_down)
            self.cache.set(self._key("retry_at"), time.time() + wait, timeout=self.keep)
            self.cache.delete(self._key("trial"))

    def reset(self) -> None:
        self.record_success()
