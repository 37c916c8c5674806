"""Running an import in a test as the worker runs it: a job from an uploaded file."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from oms import imports
from oms.models import ImportJob


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
