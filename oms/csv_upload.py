"""Reading a CSV that a user uploads (rate cards, remittance and bank statements): size and
row limits, UTF-8 (with or without a BOM), header names in English or Chinese, one clear
message per problem. Checking the values is the importer's business."""

import csv
import io
from collections.abc import Mapping, Sequence

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 1_000_000
MAX_UPLOAD_ROWS = 5000


def upload_text(upload: UploadedFile, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The uploaded file as text, for a form's clean_<field>(); raises a ValidationError with
    the reason when it is too large or not UTF-8."""
    if upload.size is not None and upload.size > max_bytes:
        raise forms.ValidationError(
            _("The file is larger than %(max)s bytes.") % {"max": max_bytes}
        )
    try:
        return upload.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc


def read_csv_rows(
    text: str,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    aliases: Mapping[str, str] | None = None,
    max_rows: int = MAX_UPLOAD_ROWS,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> tuple[list[dict[str, str]], list[str]]:
    """The rows of `text` as {column: stripped value} for the known `columns` (other columns
    are ignored), and the errors about the file as a whole (then no rows). A header may use an
    alias (`{"运单号": "tracking_number"}`)."""
    if len(text.encode()) > max_bytes:
        return [], [_("The file is larger than %(max)s bytes.") % {"max": max_bytes}]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    aliases = aliases or {}
    try:
        header = [name.strip() for name in reader.fieldnames or []]
    except csv.Error:
        return [], [_("This is not a CSV file.")]
    header = [aliases.get(name, aliases.get(name.lower(), name.lower())) for name in header]
    missing = [name for name in required if name not in header]
    if missing:
        return [], [_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}]
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    try:
        for row in reader:
            if len(rows) == max_rows:
                return [], [_("At most %(max)s rows at once.") % {"max": max_rows}]
            rows.append({k: (v or "").strip() for k, v in row.items() if k in columns})
    except csv.Error as exc:
        return [], [_("The CSV cannot be read: %(error)s") % {"error": exc}]
    if not rows:
        return [], [_("The file has no rows.")]
    return rows, []
