"""Reading an import file and its cells (the kernel's part of oms.imports): CSV in UTF-8,
with or without a BOM, or GBK; the first sheet of an XLSX workbook, read-only, formulas as
their text; header names in English or Chinese mapped to the importer's columns; cell values
read strictly (a RowError names the column and the reason)."""

from __future__ import annotations

import codecs
import csv
import datetime
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

SAMPLE_BYTES = 64 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not readable, a column missing): the message
    says why, in the reader's language."""


class RowError(Exception):
    """One item cannot be imported: the column at fault (its header name) and the reason; for
    an item of several rows, the row at fault (else its first)."""

    def __init__(self, column: str, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.column = column
        self.message = message
        self.row = row


@dataclass(frozen=True)
class ImportColumn:
    name: str  # the English header, and the key of the row's values
    zh: str  # the Chinese header
    required: bool = False
    example: str = ""  # the template's example row
    aliases: tuple[str, ...] = ()


@dataclass
class ImportRow:
    number: int  # the row as a spreadsheet numbers it: the header is row 1
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


def _normal(header: Any) -> str:
    return str(header or "").strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


def map_header(header: Sequence[Any], columns: Sequence[ImportColumn]) -> list[str | None]:
    """The column each position of the header row stands for (None: a column we do not
    read); raises ImportFileError when a required column is missing or one is there twice."""
    names: dict[str, str] = {}
    for column in columns:
        for alias in (column.name, column.zh, *column.aliases):
            names[_normal(alias)] = column.name
    mapped = [names.get(_normal(cell)) for cell in header]
    seen: set[str] = set()
    for name in mapped:
        if name is not None and name in seen:
            raise ImportFileError(_("The column %(column)s is there twice.") % {"column": name})
        if name is not None:
            seen.add(name)
    missing = [f"{c.name} ({c.zh})" for c in columns if c.required and c.name not in seen]
    if missing:
        raise ImportFileError(
            _("Columns missing: %(columns)s. Download the template to see the columns.")
            % {"columns": ", ".join(missing)}
        )
    return mapped


def detect_encoding(sample: bytes) -> str:
    """utf-8-sig, utf-8 or gb18030 (GBK's superset) for a CSV file's first bytes; raises
    ImportFileError for anything else."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is fine
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "The file is neither UTF-8 nor GBK text. Save it from your spreadsheet as "
                "“CSV UTF-8” or as an Excel workbook (.xlsx)."
            )
        ) from None
    return "gb18030"


def encoding_label(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "gb18030": "GBK", "xlsx": "XLSX"}.get(
        encoding, encoding
    )


def file_format(path: Path, name: str) -> str:
    """ "xlsx" or "csv", by the file's first bytes (a workbook is a zip), else by its name."""
    with open(path, "rb") as file:
        start = file.read(4)
    if start == b"PK\x03\x04":
        return "xlsx"
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("This is not an Excel workbook (.xlsx)."))
    if name.lower().endswith(".xls"):
        raise ImportFileError(
            _("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or as CSV UTF-8.")
        )
    return "csv"


def cell_text(value: Any) -> str:
    """A workbook cell as the text of a CSV cell: numbers without float noise, dates as
    YYYY-MM-DD, a formula as its text (it is never evaluated)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


@dataclass
class OpenedFile:
    encoding: str
    header: list[str | None]
    rows: Iterator[ImportRow]
    close: Callable[[], None]


def _csv_records(path: Path, encoding: str) -> tuple[Iterator[list[str]], Callable[[], None]]:
    file = open(path, encoding=encoding, newline="")  # noqa: SIM115 (closed by the caller)

    def records() -> Iterator[list[str]]:
        reader = csv.reader(file)
        number = 0
        try:
            for number, record in enumerate(reader, start=1):  # noqa: B007
                yield record
        except UnicodeDecodeError:
            raise ImportFileError(
                _("The file is not readable as %(encoding)s text after row %(row)s.")
                % {"encoding": encoding_label(encoding), "row": number}
            ) from None
        except csv.Error as exc:
            raise ImportFileError(
                _("The CSV cannot be read after row %(row)s: %(error)s")
                % {"row": number, "error": exc}
            ) from None

    return records(), file.close


def _xlsx_records(path: Path) -> tuple[Iterator[list[str]], Callable[[], None]]:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell reads as its formula's text, never as a value.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("This is not an Excel workbook (.xlsx).")) from exc
    sheet = workbook.worksheets[0]

    def records() -> Iterator[list[str]]:
        for values in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in values]

    return records(), workbook.close


def _check_decodes(path: Path, encoding: str) -> None:
    """The whole file decodes (a quick pass before any row is imported), else ImportFileError
    naming the line: a file half in another encoding is refused, not half imported."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with open(path, "rb") as file:
        while chunk := file.read(1024 * 1024):
            try:
                line += decoder.decode(chunk).count("\n")
            except UnicodeDecodeError as exc:
                line += chunk[: exc.start].count(b"\n")
                raise ImportFileError(
                    _("The file is not readable as %(encoding)s text from line %(line)s on.")
                    % {"encoding": encoding_label(encoding), "line": line}
                ) from None
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ImportFileError(
                _("The file is not readable as %(encoding)s text from line %(line)s on.")
                % {"encoding": encoding_label(encoding), "line": line}
            ) from None


def open_import_file(path: Path, name: str, columns: Sequence[ImportColumn]) -> OpenedFile:
    """The file's rows (blank rows left out) as {column: text}; ImportFileError for a file that
    cannot be read, or whose header lacks a required column."""
    if path.stat().st_size > settings.OMS_IMPORT_MAX_BYTES:
        raise ImportFileError(too_big_message())
    kind = file_format(path, name)
    if kind == "xlsx":
        encoding = "xlsx"
        records, close = _xlsx_records(path)
    else:
        with open(path, "rb") as file:
            encoding = detect_encoding(file.read(SAMPLE_BYTES))
        _check_decodes(path, encoding)
        records, close = _csv_records(path, encoding)
    try:
        header_record = next(records, None)
        if header_record is None:
            raise ImportFileError(_("The file is empty."))
        header = map_header(header_record, columns)
    except Exception:
        close()
        raise

    def rows() -> Iterator[ImportRow]:
        count = 0
        for number, record in enumerate(records, start=2):
            values = {
                name: str(cell).strip()
                for name, cell in zip(header, record, strict=False)
                if name is not None
            }
            if not any(values.values()):
                continue
            count += 1
            if count > settings.OMS_IMPORT_MAX_ROWS:
                raise ImportFileError(
                    _("At most %(max)s rows at once: split the file.")
                    % {"max": settings.OMS_IMPORT_MAX_ROWS}
                )
            yield ImportRow(number, values)

    return OpenedFile(encoding=encoding, header=header, rows=rows(), close=close)


def too_big_message() -> str:
    return _("The file is larger than %(max)s MB: split it into smaller files.") % {
        "max": settings.OMS_IMPORT_MAX_BYTES // (1024 * 1024)
    }


# Values of a row's cells, read strictly: a RowError names the column and the reason.


def decimal_value(row: ImportRow, column: str, *, places: int = 2, required: bool = True):
    """A number in a cell (¥, thousands separators and spaces are ignored): at most `places`
    decimals, else a RowError naming the column."""
    text = row.get(column)
    cleaned = text.replace("¥", "").replace("￥", "").replace(",", "").replace(" ", "")
    if not cleaned:
        if required:
            raise RowError(column, _("Enter a number."))
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RowError(column, _("“%(text)s” is not a number.") % {"text": text[:40]}) from None
    if not value.is_finite():
        raise RowError(column, _("“%(text)s” is not a number.") % {"text": text[:40]})
    if value.as_tuple().exponent < -places:  # type: ignore[operator]
        raise RowError(
            column,
            _("At most %(places)s decimals: %(text)s.") % {"places": places, "text": text[:40]},
        )
    return value


def whole_number(row: ImportRow, column: str, *, minimum: int | None = 1) -> int:
    value = decimal_value(row, column, places=0)
    assert value is not None
    if minimum is not None and value < minimum:
        raise RowError(column, _("At least %(min)s.") % {"min": minimum})
    if abs(value) > 10_000_000:
        raise RowError(column, _("This number is too large."))
    return int(value)


def percentage(row: ImportRow, column: str, *, required: bool = False) -> Decimal | None:
    """A percentage as written in the file (7.5 means 7.5 %), as a fraction: 0.075."""
    value = decimal_value(row, column, places=4, required=required)
    if value is None:
        return None
    if not Decimal(0) <= value < Decimal(100):
        raise RowError(column, _("Enter a percentage from 0 up to 100."))
    return value / 100


def date_value(row: ImportRow, column: str) -> datetime.date | None:
    """A date as YYYY-MM-DD (a workbook's date cell reads so), or YYYY/MM/DD."""
    text = row.get(column).strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        raise RowError(
            column, _("“%(text)s” is not a date: write YYYY-MM-DD.") % {"text": text[:40]}
        ) from None


def yes_no(row: ImportRow, column: str) -> bool | None:
    text = row.get(column).strip().lower()
    if not text:
        return None
    if text in ("true", "yes", "y", "1", "是", "含税"):
        return True
    if text in ("false", "no", "n", "0", "否", "不含税"):
        return False
    raise RowError(column, _("Write true or false."))
