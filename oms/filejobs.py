"""File jobs: a file too big to make in a request (a list's CSV export, a batch of printed
documents), written by a worker on the "documents" queue and offered for download on a
progress page.

The kernel owns the job's life: start (one user has at most OMS_FILE_JOB_MAX_ACTIVE under way;
the same request again leads to the job already under way), run (claimed once, written under a
temporary name, renamed only when complete, so a failed or cut file is never offered), progress
(items done of items to do, saved on a connection of its own), download (only the job's user
or an administrator) and the daily clean-up. What the file is — how it is written, what it is
called, how long it is kept — is a `FileJobKind` that the app making it registers
(`register_file_job_kind` in its registrations.py).
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oms.choices import FileJobStatus
from oms.errors import ServiceError
from oms.models import FileJob
from oms.types import User

logger = logging.getLogger(__name__)

ACTIVE = (FileJobStatus.QUEUED, FileJobStatus.RUNNING)


class FileJobProgress:
    """Items written so far, saved on a connection of its own: a writer may read in one long
    transaction, and nothing written in it would be seen before it ends."""

    INTERVAL = 0.5  # seconds between updates

    def __init__(self, job_id: uuid.UUID) -> None:
        self.job_id = job_id
        self.connection: Any = None
        self.last = 0.0

    def report(self, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.INTERVAL:
            return
        self.last = now
        if self.connection is None:
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        table = FileJob._meta.db_table
        with self.connection.cursor() as cursor:
            # SKIP LOCKED: progress is a nicety, never a reason to wait.
            cursor.execute(
                f"UPDATE {table} SET items_done = %s, items_total = %s WHERE id = "
                f"(SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)",
                [done, total, self.job_id],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


@dataclass(frozen=True)
class FileJobKind:
    """What one kind of file job makes. Texts are functions: they are asked for in the
    language of the page that shows them."""

    code: str
    suffix: str  # of the file on disk, ".csv"
    content_type: str
    # Writes the whole file to the path given, reporting progress; returns the items written.
    # Any exception fails the job.
    write: Callable[[FileJob, Path, FileJobProgress], int]
    title: Callable[[FileJob], str]  # the progress page's heading
    download_name: Callable[[FileJob], str]
    progress_text: Callable[[int, int], str]  # "120 of 200 documents"
    download_text: Callable[[FileJob], str]  # the download button
    failed_text: Callable[[], str]
    removed_text: Callable[[], str]
    keep: Callable[[], timedelta]  # how long a finished file is kept


KINDS: dict[str, FileJobKind] = {}


def register_file_job_kind(kind: FileJobKind) -> None:
    KINDS[kind.code] = kind


def file_job_kind(code: str) -> FileJobKind:
    try:
        return KINDS[code]
    except KeyError:
        raise ServiceError(f"no file job kind {code!r}") from None


def file_job_start(
    *,
    user: User,
    kind: str,
    path: str,
    list_name: str,
    query_string: str,
    language: str,
    parameters: dict[str, Any] | None = None,
) -> FileJob:
    """Queue a file job for a worker; the task starts after commit.

    The same job asked for again while it is queued or running leads to that job (a double
    click, a reload); a user has at most OMS_FILE_JOB_MAX_ACTIVE jobs under way at once.
    """
    file_job_kind(kind)
    parameters = parameters or {}
    with transaction.atomic():
        # One request per user at a time here, so two quick clicks cannot pass the cap.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        active = FileJob.objects.filter(user=user, status__in=ACTIVE)
        same = active.filter(
            kind=kind, path=path, query_string=query_string, parameters=parameters
        ).first()
        if same is not None:
            return same
        if active.count() >= settings.OMS_FILE_JOB_MAX_ACTIVE:
            raise ServiceError(
                _("You already have %(count)s files in preparation; wait for one to finish.")
                % {"count": settings.OMS_FILE_JOB_MAX_ACTIVE}
            )
        job = FileJob.objects.create(
            user=user,
            kind=kind,
            path=path,
            list_name=list_name[:100],
            query_string=query_string,
            parameters=parameters,
            language=language[:10],
        )
        from oms.tasks import enqueue_on_commit, file_job_run

        enqueue_on_commit(file_job_run, str(job.pk))
    return job


def file_job_path(job: FileJob) -> Path | None:
    """The finished file of a job that is done; None for any other job."""
    if job.status != FileJobStatus.DONE or not job.file_name:
        return None
    path = Path(settings.OMS_FILE_JOB_DIR) / job.file_name
    return path if path.is_file() else None


def file_job_run(*, job_id: uuid.UUID | str) -> str:
    """Write one job's file; returns "done", "failed" or "skipped".

    Runs once: the job is claimed from queued to running, so a second delivery of the task
    does nothing. The file is written under a temporary name that becomes its final name only
    when all of it is in, so a failed, cut or timed-out job is never offered as complete.
    """
    claimed = FileJob.objects.filter(pk=job_id, status=FileJobStatus.QUEUED).update(
        status=FileJobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = FileJob.objects.select_related("user").get(pk=job_id)
    folder = Path(settings.OMS_FILE_JOB_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    progress = FileJobProgress(job.pk)
    try:
        kind = file_job_kind(job.kind)
        part = folder / f"{job.pk}{kind.suffix}.part"
        final = folder / f"{job.pk}{kind.suffix}"
        try:
            with translation.override(job.language):
                items = kind.write(job, part, progress)
            os.replace(part, final)  # atomic on one file system
        finally:
            part.unlink(missing_ok=True)
    except Exception as exc:
        logger.exception("file job %s (%s) failed", job.pk, job.kind)
        FileJob.objects.filter(pk=job.pk).update(
            status=FileJobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    finally:
        progress.close()
    FileJob.objects.filter(pk=job.pk).update(
        status=FileJobStatus.DONE,
        file_name=final.name,
        items_total=items,
        items_done=items,
        finished_at=timezone.now(),
    )
    return "done"


def file_jobs_clean_up(*, now: datetime | None = None) -> int:
    """The daily tidy-up of file jobs; returns how many jobs were removed.

    Finished jobs older than their kind keeps them go with their files. A job still running
    past the time limit (its worker was killed) or queued for a day (its task was lost) is
    marked failed. Files no job owns (left by a killed worker) are removed.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.OMS_FILE_JOB_TIME_LIMIT + 300)
    FileJob.objects.filter(status=FileJobStatus.RUNNING, started_at__lt=stale).update(
        status=FileJobStatus.FAILED, error="stopped by the time limit", finished_at=now
    )
    FileJob.objects.filter(
        status=FileJobStatus.QUEUED, created_at__lt=now - timedelta(days=1)
    ).update(status=FileJobStatus.FAILED, error="never started", finished_at=now)
    folder = Path(settings.OMS_FILE_JOB_DIR)
    removed = 0
    for code in FileJob.objects.values_list("kind", flat=True).distinct().order_by():
        keep = KINDS[code].keep() if code in KINDS else timedelta(days=1)
        old = FileJob.objects.filter(kind=code, created_at__lt=now - keep).exclude(
            status__in=ACTIVE
        )
        for name in old.exclude(file_name="").values_list("file_name", flat=True):
            (folder / name).unlink(missing_ok=True)
        count, _by_model = old.delete()
        removed += count
    if folder.is_dir():
        # Files that no job owns, left by a killed worker; only old ones, as a file may get
        # its final name a moment before its job is marked done.
        owned = set(FileJob.objects.exclude(file_name="").values_list("file_name", flat=True))
        for file in folder.iterdir():
            if (
                file.is_file()
                and file.name not in owned
                and file.stat().st_mtime < stale.timestamp()
            ):
                file.unlink(missing_ok=True)
    return removed
