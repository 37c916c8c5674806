"""Running an import in a test as the worker runs it: a job from an uploaded file."""

import contextlib
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from oms import imports
from oms.models import ImportJob
from tests.oms.test_outbox_worker import purge_queues, worker_environment

QUEUES = ["documents"]


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def run_job(user, kind: str, content: bytes, *, name="file.csv", dry_run=False) -> ImportJob:
    """Start a job like the upload page does and run it like the worker does."""
    job = imports.job_start(
        user=user,
        kind=kind,
        upload=SimpleUploadedFile(name, content),
        dry_run=dry_run,
        language="en",
    )
    assert imports.job_run(job_id=job.pk) == "done", ImportJob.objects.get(pk=job.pk).error
    return ImportJob.objects.get(pk=job.pk)


def results(job: ImportJob) -> list[tuple[int, str, str, str]]:
    return list(job.results.order_by("row", "id").values_list("row", "action", "column", "message"))


def xlsx_bytes(rows: list[list[object]], tmp_path: Path) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    return path.read_bytes()


@contextlib.contextmanager
def worker(tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(exist_ok=True)
    purge_queues(QUEUES)
    env = worker_environment(mail_dir) | {"OMS_IMPORT_DIR": str(settings.OMS_IMPORT_DIR)}
    log = open(tmp_path / "worker.log", "a")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "oms", "worker", "--pool", "solo"),
            *("-Q", ",".join(QUEUES), "-l", "info"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
