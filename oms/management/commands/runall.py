"""Run the web server, a Celery worker and Celery beat together, plus the processes apps
register (`oms.registry.register_process`: the carrier simulator); Ctrl-C stops them all.

Used by `make run`. This process also holds the embedded database (when DATABASE_URL is
unset) so that it keeps running while the others restart.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from oms.registry import processes_to_run


class Command(BaseCommand):
    help = (
        "Start web (gunicorn), a Celery worker, Celery beat and the processes apps register; "
        "stop all of them on Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("OMS_BIND", "127.0.0.1:8000"))

    def handle(self, *args, bind: str, **options):
        connection.ensure_connection()  # starts the embedded database if that is what we use
        bin_dir = os.path.dirname(sys.executable)
        commands = {
            "web": [
                os.path.join(bin_dir, "gunicorn"),
                "oms.wsgi",
                "--config",
                str(settings.BASE_DIR / "gunicorn.conf.py"),  # workers and threads per core
                "--bind",
                bind,
            ],
            "worker": [
                os.path.join(bin_dir, "celery"),
                "-A",
                "oms",
                "worker",
                "-l",
                "info",
                "-Q",
                settings.CELERY_WORKER_QUEUES,
                "--concurrency",
                "2",
            ],
            "beat": [
                os.path.join(bin_dir, "celery"),
                "-A",
                "oms",
                "beat",
                "-l",
                "info",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
        }
        # The apps' processes start first: the worker may call the carrier simulator at once.
        manage = str(settings.BASE_DIR / "manage.py")
        commands = {
            **{p.name: [sys.executable, manage, *p.command] for p in processes_to_run()},
            **commands,
        }
        processes = {
            name: subprocess.Popen(cmd, start_new_session=True) for name, cmd in commands.items()
        }
        self.stdout.write(
            self.style.SUCCESS(f"OMS running at http://{bind}/ — press Ctrl-C to stop.")
        )
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # An app's extra process (the carrier simulator) that ends is reported; the OMS goes on.
        watched = {name for name in processes if name in {"web", "worker", "beat"}}
        reported: set[str] = set()
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is None:
                        continue
                    if name in watched:
                        self.stderr.write(
                            f"{name} exited with code {process.returncode}; stopping the rest."
                        )
                        stopping = True
                    elif process.returncode is not None and name not in reported:
                        self.stderr.write(f"{name} exited with code {process.returncode}.")
                        reported.add(name)
                time.sleep(0.5)
        finally:
            self.shutdown(processes)

    def shutdown(self, processes):
        self.stdout.write(f"Stopping {', '.join(processes)}…")
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        connection.close()
        if settings.DATABASES["default"]["ENGINE"] == "oms.embedded_pg":
            from pathlib import Path

            from oms.embedded_pg.base import stop_server

            stop_server(Path(settings.DATABASES["default"]["HOST"]))
        self.stdout.write("Stopped.")
