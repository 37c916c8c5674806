"""Choose the Celery broker when CELERY_BROKER_URL is not set.

Redis on localhost when it answers, otherwise kombu's filesystem transport under var/,
which needs no server at all. Every checkout gets its own Redis key prefix (from its
directory, or OMS_BROKER_PREFIX), and tests a prefix of their own, so two checkouts on one
machine, or a development worker and a test run, never take each other's tasks.
"""

import hashlib
import re
import socket
from pathlib import Path


def redis_answers(host: str = "127.0.0.1", port: int = 6379, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def checkout_prefix(base_dir: Path) -> str:
    """A short, readable name for this checkout: its folder name plus a hash of its path."""
    slug = re.sub(r"[^a-z0-9]+", "-", base_dir.name.lower()).strip("-") or "oms"
    digest = hashlib.sha1(str(base_dir.resolve()).encode()).hexdigest()[:8]
    return f"{slug}-{digest}"


def checkout_port(base_dir: Path, first: int = 20000, span: int = 10000) -> int:
    """A port of its own for a helper process of this checkout (the carrier simulator), so
    two checkouts on one machine do not take each other's."""
    digest = hashlib.sha1(str(base_dir.resolve()).encode()).hexdigest()
    return first + int(digest[:8], 16) % span


def default_broker(var_dir: Path, *, suffix: str = "", prefix: str = "oms") -> tuple[str, dict]:
    """Return (broker_url, broker_transport_options); `suffix` keeps test runs apart."""
    if redis_answers():
        return ("redis://127.0.0.1:6379/0", {"global_keyprefix": f"{prefix}{suffix}:"})
    folder = var_dir / f"broker{suffix}"
    for sub in ("out", "processed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return (
        "filesystem://",
        {
            "data_folder_in": str(folder / "out"),
            "data_folder_out": str(folder / "out"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
        },
    )
