"""Photos sent with a return request. What a file is comes from reading it with Pillow, never
from its name or the browser's word; it is stored re-encoded (no EXIF: customers' photos carry
their location) under a random name in the private media directory."""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Pillow's format → the MIME type we store and serve.
ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
NAME_LENGTH = 200


@dataclass(frozen=True)
class CheckedPhoto:
    name: str
    content: bytes
    content_type: str
    width: int
    height: int


def check_photo(upload: UploadedFile) -> CheckedPhoto:
    """Read the upload as an image; refuse anything too large, not JPEG/PNG/WebP, or broken."""
    name = (upload.name or "photo")[-NAME_LENGTH:]
    limit = settings.OMS_RETURN_PHOTO_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("%(name)s is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)}
        )
    not_image = ValidationError(
        _("%(name)s is not a photo we can read (JPEG, PNG or WebP).") % {"name": name}
    )
    max_side = settings.OMS_RETURN_PHOTO_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in ALLOWED_FORMATS:
                raise not_image
            if width > max_side or height > max_side:
                raise ValidationError(
                    _("%(name)s is larger than %(max)s pixels on a side.")
                    % {"name": name, "max": max_side}
                )
            probe.verify()
        # verify() leaves the image unusable: open again and decode every pixel.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=88)
            elif kind == "PNG":
                image.save(out, "PNG", optimize=False)
            else:
                image.save(out, "WEBP", quality=88)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise not_image from None
    return CheckedPhoto(
        name=name,
        content=out.getvalue(),
        content_type=ALLOWED_FORMATS[kind],
        width=width,
        height=height,
    )


def check_photos(uploads: list[UploadedFile]) -> list[CheckedPhoto]:
    limit = settings.OMS_RETURN_PHOTO_MAX_COUNT
    if len(uploads) > limit:
        raise ValidationError(_("Send at most %(max)s photos.") % {"max": limit})
    return [check_photo(upload) for upload in uploads]
