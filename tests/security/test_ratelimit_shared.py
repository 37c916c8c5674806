"""The order page's rate limit holds across web processes: gunicorn runs several workers, and
each counting on its own would let a guesser of links through several times as fast. The
limiter counts in the "shared" cache (Redis, or files every process of the machine reads)."""

import os
import subprocess
import sys
import uuid

from django.conf import settings
from django.core.cache import caches

from oms import ratelimit

COUNT_ONE = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'oms.settings'); "
    "django.setup(); from oms.ratelimit import count_hit; "
    "print(count_hit('track-miss', {ident!r}, window=3600))"
)


def test_the_limiter_counts_in_the_shared_cache():
    assert ratelimit.limiter_cache() is caches["shared"]
    backend = settings.CACHES["shared"]["BACKEND"]
    assert "locmem" not in backend.lower()


def test_two_processes_count_against_one_limit():
    """Two separate Python processes (as two gunicorn workers) count hits of one address;
    this process sees both, and the second process saw the first one's."""
    ident = f"203.0.113.{uuid.uuid4().hex}"  # never counted before
    env = {**os.environ, "PYTEST_VERSION": os.environ.get("PYTEST_VERSION", "1")}
    counts = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", COUNT_ONE.format(ident=ident)],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        counts.append(int(done.stdout.strip().splitlines()[-1]))
    assert counts == [1, 2]
    assert ratelimit.hits("track-miss", ident, window=3600) == 2
    assert ratelimit.count_hit("track-miss", ident, window=3600) == 3
