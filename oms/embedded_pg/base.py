import json
import threading
import warnings
from pathlib import Path

import psycopg
from django.db.backends.postgresql import base

_started: set[tuple[Path, str]] = set()
_lock = threading.Lock()


def ensure_server(pgdata: Path, dbname: str) -> None:
    """Start the embedded server for pgdata (once per process) and create dbname if missing.

    Test databases are left to the test runner, which creates and drops them itself.
    """
    with _lock:
        if (pgdata, dbname) in _started:
            return
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); harmless here.
            warnings.simplefilter("ignore")
            import pgserver

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        try:
            pgserver.get_server(pgdata, cleanup_mode="stop")
        except json.JSONDecodeError:
            # pgserver counts its users in a small JSON file; a process killed while writing
            # it leaves it empty. Start the count afresh rather than refuse to start.
            (pgdata / ".handle_pids.json").write_text("[]")
            pgserver.get_server(pgdata, cleanup_mode="stop")
        with psycopg.connect(
            dbname="postgres", user="postgres", host=str(pgdata), autocommit=True
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]
            ).fetchone()
            if not exists and not dbname.startswith("test_"):
                conn.execute(f'CREATE DATABASE "{dbname}"')
        _started.add((pgdata, dbname))


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        # The socket directory of pgserver is its data directory.
        ensure_server(Path(self.settings_dict["HOST"]), self.settings_dict["NAME"] or "postgres")
        return super().get_new_connection(conn_params)


def stop_server(pgdata: Path) -> None:
    """Stop the embedded server now, whoever else still counts as using it (make run's Ctrl-C)."""
    import os

    from pgserver._commands import pg_ctl

    if not (pgdata / "postmaster.pid").exists():
        return
    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user, timeout=30)
    finally:
        (pgdata / ".handle_pids.json").write_text("[]")
