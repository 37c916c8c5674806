"""Checking an uploaded file before it is kept: its size, and its type read from its first
bytes (never trusted from the browser) and matched against its name."""

from collections.abc import Mapping
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# MIME type -> (the bytes the file starts with, the names it may end in)
FileTypes = Mapping[str, tuple[bytes, tuple[str, ...]]]


def sniffed_type(upload: UploadedFile, *, types: FileTypes, max_bytes: int, refusal: str) -> str:
    """The MIME type of an upload; refused (ValidationError on "file") when empty, larger than
    max_bytes, or not one of `types` by both content and name (`refusal` says which are)."""
    size = upload.size or 0
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > max_bytes:
        raise ValidationError(
            {
                "file": _("A file may have at most %(size)s MB.")
                % {"size": max_bytes // (1024 * 1024)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    suffix = PurePath(upload.name or "").suffix.lower()
    for mime, (magic, suffixes) in types.items():
        if head.startswith(magic) and suffix in suffixes:
            return mime
    raise ValidationError({"file": refusal})
