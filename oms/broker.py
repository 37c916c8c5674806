"""Choose the Celery broker when CELERY_BROKER_URL is not set.

Redis on localhost when it answers, otherwise kombu's filesystem transport under var/,
which needs no server at all. Tests use their own Redis database (or folder) so that a
development worker never picks up a test's task.
"""

import socket
from pathlib import Path


def redis_answers(host: str = "127.0.0.1", port: int = 6379, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def default_broker(var_dir: Path, *, testing: bool) -> tuple[str, dict]:
    """Return (broker_url, broker_transport_options)."""
    if redis_answers():
        return (f"redis://127.0.0.1:6379/{15 if testing else 0}", {})
    folder = var_dir / ("broker-test" if testing else "broker")
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
