"""Imports of CSV and XLSX files (customers, products, stock levels, orders): the kernel's part.

An app registers an `Importer` (`register_importer` in its registrations.py): its columns (an
English and a Chinese header each), the permission it needs and how it writes one item (a row,
or the rows of one order) through the app's services. The kernel does the rest, alike for every
kind:

- reading the file as a stream of rows: CSV in UTF-8 (with or without a BOM) or GBK (what
  Excel saves in China), or the first sheet of an XLSX workbook (openpyxl, read-only, formulas
  read as the text of the formula, never evaluated); header names in English or Chinese;
- a job (`oms.models.ImportJob`) run by a worker, with its progress saved as it goes;
- "check only" (a dry run): every item goes through the same services as an import, in a
  transaction that is rolled back, so the report says exactly what an import would do (create,
  update, skip as a duplicate, error with the column and the reason) and nothing is written;
- an import commits a batch of items at a time; an item that fails is rolled back alone
  (its savepoint) and reported, so an order is never half-written;
- the report, and its rows with errors as a CSV (cells defused against formula injection);
- a template per kind with English or Chinese headers.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, DataError, IntegrityError, connections, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from oms.choices import FileJobStatus, ImportAction
from oms.errors import ServiceError
from oms.exports import defuse
from oms.import_files import (  # noqa: F401 - the import API, read from oms.imports
    SAMPLE_BYTES,
    ImportColumn,
    ImportFileError,
    ImportRow,
    OpenedFile,
    RowError,
    cell_text,
    date_value,
    decimal_value,
    detect_encoding,
    encoding_label,
    file_format,
    map_header,
    open_import_file,
    percentage,
    too_big_message,
    whole_number,
    yes_no,
)
from oms.models import ImportJob, ImportRowResult
from oms.types import User

logger = logging.getLogger(__name__)

ACTIVE = (FileJobStatus.QUEUED, FileJobStatus.RUNNING)


@dataclass
class RowResult:
    row: int
    action: str  # ImportAction
    column: str = ""
    message: str = ""
    reference: str = ""


@dataclass
class ImportContext:
    """What an importer's item writer is given besides its rows."""

    actor: User | None
    dry_run: bool
    cache: dict[str, Any] = field(default_factory=dict)  # lookups shared by the batches


class Importer:
    """One kind of import. Subclasses set the class attributes and write `import_item`."""

    code: str = ""
    label: str | Promise = ""
    permission: str = ""  # what a user needs to import this kind
    columns: tuple[ImportColumn, ...] = ()
    # Rows with the same value in this column make one item (the lines of one order); they
    # need not be next to each other.
    group_by: str = ""
    batch_size = 200  # items per transaction
    help_text: str | Promise = ""

    def import_item(self, rows: list[ImportRow], context: ImportContext) -> list[RowResult]:
        """Write one item through the app's services (inside a savepoint the kernel opens)
        and say what happened to each of its rows; raise RowError (or a ValidationError,
        ServiceError, PermissionDenied) to refuse the whole item."""
        raise NotImplementedError

    def import_batch(self, items: list[list[ImportRow]], context: ImportContext) -> list[RowResult]:
        """A batch of items; by default each on its own in a savepoint."""
        results: list[RowResult] = []
        for rows in items:
            results.extend(run_item(self, rows, context))
        return results

    def field_column(self, name: str) -> str:
        """The column a model field's validation error belongs to."""
        return name if any(c.name == name for c in self.columns) else ""


IMPORTERS: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    IMPORTERS[importer.code] = importer


def importer_for(code: str) -> Importer:
    try:
        return IMPORTERS[code]
    except KeyError:
        raise ServiceError(_("There is no import of this kind.")) from None


def importers_for(user: User) -> list[Importer]:
    """The kinds of import this user may run, in the order they were registered."""
    return [i for i in IMPORTERS.values() if user.has_perm(i.permission)]


# --- Reading a file -------------------------------------------------------------------------


def items_of(importer: Importer, rows: Iterable[ImportRow]) -> Iterator[list[ImportRow]]:
    """The file's items: each row, or the rows sharing a `group_by` value (in the order of
    their first row; a row without the value is an item of its own)."""
    if not importer.group_by:
        for row in rows:
            yield [row]
        return
    groups: dict[str, list[ImportRow]] = {}
    alone: list[list[ImportRow]] = []
    order: list[Any] = []
    for row in rows:
        key = row.get(importer.group_by)
        if not key:
            alone.append([row])
            order.append(alone[-1])
        elif key in groups:
            groups[key].append(row)
        else:
            groups[key] = [row]
            order.append(key)
    for entry in order:
        yield groups[entry] if isinstance(entry, str) else entry


# --- Running an item and a job --------------------------------------------------------------


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            (name if name != "__all__" else "", " ".join(str(m) for m in ValidationError(e)))
            for name, e in error.error_dict.items()
        ]
    return [("", " ".join(error.messages))]


def run_item(importer: Importer, rows: list[ImportRow], context: ImportContext) -> list[RowResult]:
    """One item in a savepoint: its results, or an error on each of its rows (and nothing of
    it written) when it is refused."""
    try:
        with transaction.atomic():
            return importer.import_item(rows, context)
    except (
        RowError,
        ValidationError,
        ServiceError,
        PermissionDenied,
        IntegrityError,
        DataError,
    ) as exc:
        return refused_item(importer, rows, exc)


def refused_item(importer: Importer, rows: list[ImportRow], exc: Exception) -> list[RowResult]:
    """An item refused: the error on the row it names (else the first), and on each other row
    of the item that it was not imported."""
    first = rows[0].number
    if isinstance(exc, RowError):
        column, message = exc.column, exc.message
        first = exc.row or first
    elif isinstance(exc, ValidationError):
        name, message = _messages(exc)[0]
        column = importer.field_column(name)
    elif isinstance(exc, (IntegrityError, DataError)):
        # What the checks let through and the database refused (a value too long, a code
        # another user saved a moment before): the savepoint is rolled back, the rest goes on.
        logger.warning("import %s: row %s refused by the database: %s", importer.code, first, exc)
        column = ""
        message = _("The database refused this row: %(error)s") % {
            "error": str(exc).splitlines()[0][:200]
        }
    else:
        column, message = "", str(exc)
    results = [RowResult(first, ImportAction.ERROR, column, message)]
    if len(rows) > 1:
        other = _("Not imported: row %(row)s of the same order has an error.") % {"row": first}
        results += [
            RowResult(r.number, ImportAction.ERROR, "", other) for r in rows if r.number != first
        ]
        results.sort(key=lambda r: r.row)
    return results


class _Progress:
    """Rows done so far, saved on a connection of its own (a dry run's batch is rolled back)."""

    INTERVAL = 0.5

    def __init__(self, job_id: uuid.UUID) -> None:
        self.job_id = job_id
        self.connection: Any = None
        self.last = 0.0

    def report(self, done: int, counts: dict[str, int], *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.INTERVAL:
            return
        self.last = now
        if self.connection is None:
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        table = ImportJob._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET rows_done = %s, created = %s, updated = %s, skipped = %s, "
                f"errors = %s WHERE id = (SELECT id FROM {table} WHERE id = %s "
                "FOR UPDATE SKIP LOCKED)",
                [
                    done,
                    counts[ImportAction.CREATE],
                    counts[ImportAction.UPDATE],
                    counts[ImportAction.SKIP],
                    counts[ImportAction.ERROR],
                    self.job_id,
                ],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class _Rollback(Exception):
    pass


@dataclass
class ImportReport:
    """The outcome of running a file (also what the management commands print)."""

    rows: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: {action: 0 for action in ImportAction.values}
    )
    results: list[RowResult] = field(default_factory=list)  # the ones kept


def run_import(
    *,
    importer: Importer,
    path: Path,
    file_name: str,
    actor: User | None,
    dry_run: bool,
    on_batch: Callable[[ImportReport, list[RowResult], dict[int, dict[str, str]]], None]
    | None = None,
    on_start: Callable[[str, int], None] | None = None,
) -> ImportReport:
    """Check or import a file, batch by batch; raises ImportFileError for a file that cannot
    be read (nothing of it is then written: the error comes before the first batch, or, for a
    file cut short, from a batch that is rolled back)."""
    opened = open_import_file(path, file_name, importer.columns)
    report = ImportReport()
    context = ImportContext(actor=actor, dry_run=dry_run)
    try:
        if importer.group_by:  # an order's rows may be anywhere: read the whole file first
            rows: Iterable[ImportRow] = list(opened.rows)
            total = len(rows)  # type: ignore[arg-type]
        else:
            rows, total = opened.rows, -1
        if on_start:
            on_start(opened.encoding, total)
        batch: list[list[ImportRow]] = []
        for item in items_of(importer, rows):
            batch.append(item)
            if len(batch) == importer.batch_size:
                _run_batch(importer, batch, context, report, on_batch)
                batch = []
        if batch:
            _run_batch(importer, batch, context, report, on_batch)
    finally:
        opened.close()
    return report


def _run_batch(importer, batch, context, report, on_batch) -> None:
    results: list[RowResult] = []
    try:
        with transaction.atomic():
            results = importer.import_batch(batch, context)
            if context.dry_run:
                raise _Rollback
    except _Rollback:
        pass
    values = {row.number: row.values for item in batch for row in item}
    report.rows += len(values)
    for result in results:
        report.counts[result.action] += 1
    if on_batch:
        on_batch(report, results, values)


def job_start(
    *, user: User, kind: str, upload: Any, dry_run: bool, language: str, queue: bool = True
) -> ImportJob:
    """Keep an uploaded file and queue its check (or import) for a worker (`queue=False`: the
    caller runs it, as the demo seeder does). The file's header is read here, so a file that
    cannot be imported at all is refused at once."""
    importer = importer_for(kind)
    if not user.has_perm(importer.permission):
        raise PermissionDenied(_("You may not import this kind of file."))
    if upload.size is not None and upload.size > settings.OMS_IMPORT_MAX_BYTES:
        raise ImportFileError(too_big_message())
    folder = Path(settings.OMS_IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{Path(upload.name or '').suffix.lower()[:10]}"
    path = folder / stored
    with open(path, "wb") as file:
        for chunk in upload.chunks():
            file.write(chunk)
            if file.tell() > settings.OMS_IMPORT_MAX_BYTES:
                break
    try:
        opened = open_import_file(path, upload.name or "", importer.columns)
        opened.close()
    except ImportFileError:
        path.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        job = ImportJob.objects.create(
            user=user,
            kind=kind,
            file_name=(upload.name or "")[:200],
            stored_name=stored,
            encoding=opened.encoding,
            dry_run=dry_run,
            language=language[:10],
        )
        if queue:
            _enqueue(job)
    return job


def job_commit(*, user: User, checked: ImportJob, queue: bool = True) -> ImportJob:
    """Import the file of a finished check: a new job on the same file. The same check
    imported twice leads to the import already made."""
    importer = importer_for(checked.kind)
    if not user.has_perm(importer.permission) or checked.user_id != user.pk:
        raise PermissionDenied(_("You may not import this kind of file."))
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=checked.pk)
        if not locked.dry_run or locked.status != FileJobStatus.DONE:
            raise ServiceError(_("Only a finished check can be imported."))
        earlier = locked.imports.first()
        if earlier is not None:
            return earlier
        if not (Path(settings.OMS_IMPORT_DIR) / locked.stored_name).is_file():
            raise ServiceError(_("The file is no longer kept: upload it again."))
        job = ImportJob.objects.create(
            user=user,
            kind=locked.kind,
            file_name=locked.file_name,
            stored_name=locked.stored_name,
            encoding=locked.encoding,
            dry_run=False,
            checked=locked,
            language=locked.language,
        )
        if queue:
            _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    from oms.tasks import enqueue_on_commit, import_job_run

    enqueue_on_commit(import_job_run, str(job.pk))


def job_run(*, job_id: uuid.UUID | str) -> str:
    """Run one job (in a worker): "done", "failed" or "skipped" (already claimed)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=FileJobStatus.QUEUED).update(
        status=FileJobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    progress = _Progress(job.pk)
    kept = 0

    def on_start(encoding: str, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            encoding=encoding, rows_total=total if total >= 0 else None
        )

    def on_batch(report: ImportReport, results: list[RowResult], values) -> None:
        nonlocal kept
        keep = []
        for result in results:
            if result.action in (ImportAction.ERROR, ImportAction.SKIP):
                keep.append(result)
            elif kept < settings.OMS_IMPORT_REPORT_ROWS:
                kept += 1
                keep.append(result)
        ImportRowResult.objects.bulk_create(
            ImportRowResult(
                job=job,
                row=r.row,
                action=r.action,
                column=r.column[:60],
                message=r.message,
                reference=r.reference[:60],
                values=values.get(r.row, {}) if r.action == ImportAction.ERROR else {},
            )
            for r in keep
        )
        progress.report(report.rows, report.counts, force=not job.dry_run)

    try:
        with translation.override(job.language):
            report = run_import(
                importer=importer_for(job.kind),
                path=Path(settings.OMS_IMPORT_DIR) / job.stored_name,
                file_name=job.file_name,
                actor=job.user,
                dry_run=job.dry_run,
                on_batch=on_batch,
                on_start=on_start,
            )
    except Exception as exc:
        if isinstance(exc, ImportFileError | ServiceError):
            message = str(exc)
        else:
            logger.exception("import %s (%s) failed", job.pk, job.kind)
            with translation.override(job.language):
                message = _("The import stopped on an unexpected error; ask an administrator.")
        progress.close()
        ImportJob.objects.filter(pk=job.pk).update(
            status=FileJobStatus.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        return "failed"
    progress.close()
    ImportJob.objects.filter(pk=job.pk).update(
        status=FileJobStatus.DONE,
        rows_total=report.rows,
        rows_done=report.rows,
        created=report.counts[ImportAction.CREATE],
        updated=report.counts[ImportAction.UPDATE],
        skipped=report.counts[ImportAction.SKIP],
        errors=report.counts[ImportAction.ERROR],
        finished_at=timezone.now(),
    )
    return "done"


def jobs_clean_up(*, now: datetime.datetime | None = None) -> int:
    """Daily: a job running past the time limit (its worker was killed) is failed, with what
    it had done kept (each batch is its own transaction: no order is half-written); jobs and
    their files older than a week go."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.OMS_FILE_JOB_TIME_LIMIT + 300)
    ImportJob.objects.filter(status=FileJobStatus.RUNNING, started_at__lt=stale).update(
        status=FileJobStatus.FAILED,
        error="stopped before the end of the file: its worker was stopped",
        finished_at=now,
    )
    old = ImportJob.objects.filter(created_at__lt=now - datetime.timedelta(days=7)).exclude(
        status__in=ACTIVE
    )
    names = set(old.values_list("stored_name", flat=True))
    count, _by_model = old.delete()
    still = set(
        ImportJob.objects.filter(stored_name__in=names).values_list("stored_name", flat=True)
    )
    for name in names - still:
        (Path(settings.OMS_IMPORT_DIR) / name).unlink(missing_ok=True)
    return count


# --- What the pages offer for download ------------------------------------------------------


def template_csv(importer: Importer, *, chinese: bool) -> bytes:
    """A header row (English or Chinese names) and an example row, UTF-8 with a BOM (so
    Excel opens Chinese text right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.zh if chinese else c.name for c in importer.columns])
    writer.writerow([c.example for c in importer.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(importer: Importer, *, chinese: bool) -> bytes:
    """The same template as a one-sheet workbook."""
    from oms.xlsx import xlsx_bytes

    return xlsx_bytes(
        [c.zh if chinese else c.name for c in importer.columns],
        [[c.example for c in importer.columns]],
        str(importer.label)[:31],
    )


def errors_csv(job: ImportJob, importer: Importer) -> Iterator[str]:
    """The rows with an error: the file's columns as they were, then the column at fault and
    the reason; every cell defused (a cell starting with = + - @ is not a formula). Fix it
    and import it again: the two extra columns are not read."""
    out = io.StringIO()
    writer = csv.writer(out)
    names = [c.name for c in importer.columns]
    writer.writerow([_("row"), *names, _("column"), _("error")])
    yield "\ufeff" + out.getvalue()
    rows = job.results.filter(action=ImportAction.ERROR).order_by("row", "id")
    for result in rows.iterator(chunk_size=2000):
        out.seek(0)
        out.truncate()
        cells = [result.values.get(name, "") for name in names]
        writer.writerow(
            [result.row, *(defuse(c) for c in cells), result.column, defuse(result.message)]
        )
        yield out.getvalue()


# --- Values in cells ------------------------------------------------------------------------
