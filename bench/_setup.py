"""Shared by the bench scripts: point Django at a scratch database before it starts."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def use_database(name: str) -> None:
    """An own database on the embedded server (or BENCH_DATABASE_URL's server), never the demo's."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    if "BENCH_DATABASE_URL" in os.environ:
        base = os.environ["BENCH_DATABASE_URL"].rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{base}/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["OMS_EMBEDDED_DB_NAME"] = name
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def create_database(name: str) -> None:
    """Create the database if the server lacks it (the embedded backend does this itself)."""
    if "BENCH_DATABASE_URL" not in os.environ:
        return
    import psycopg

    base = os.environ["BENCH_DATABASE_URL"].rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
