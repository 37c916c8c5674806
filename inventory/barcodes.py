"""Product barcodes: what the pack station's scanner reads besides the SKU.

A barcode is optional and unique among products when set. All-digit codes of GS1 lengths are
GTINs and must carry a valid check digit: EAN-13 (13 digits), UPC-A (12), EAN-8 (8), GTIN-14
(14). Anything else (letters, other lengths: a supplier's or the warehouse's own Code 128
label) is kept as "other" without a check digit. The check uses python-stdnum when it is
installed and the GS1 modulo-10 rule below when not (both give the same answer).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

try:  # python-stdnum is a dependency; the fallback keeps the check when it is missing
    from stdnum import ean as stdnum_ean
except ImportError:  # pragma: no cover
    stdnum_ean = None

BARCODE_LENGTH = 40
GTIN_KINDS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14"}
OTHER_KIND = "other"
# Printable, no blanks: what a keyboard-wedge scanner types before its Enter.
OTHER_PATTERN = re.compile(r"^[A-Z0-9\-./+$%]+$")


def normalise_barcode(value: str | None) -> str:
    """One spelling: blanks and the hyphens some people type between digit groups go, letters
    are upper case (Code 128 labels read back the same either way)."""
    text = re.sub(r"\s+", "", value or "").upper()
    if text.replace("-", "").isdigit():
        text = text.replace("-", "")
    return text


def gs1_check_digit(digits: str) -> str:
    """The GS1 modulo-10 check digit of the digits before it (EAN, UPC, GTIN)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def gs1_valid(code: str, *, use_stdnum: bool = True) -> bool:
    """Is this all-digit code of a GS1 length a valid GTIN (check digit right)?"""
    if not code.isdigit() or len(code) not in GTIN_KINDS:
        return False
    if use_stdnum and stdnum_ean is not None:
        return bool(stdnum_ean.is_valid(code))
    return gs1_check_digit(code[:-1]) == code[-1]


def barcode_kind(code: str) -> str:
    """EAN-13, UPC-A, EAN-8, GTIN-14, "other", or "" for no barcode."""
    if not code:
        return ""
    if code.isdigit() and len(code) in GTIN_KINDS:
        return GTIN_KINDS[len(code)]
    return OTHER_KIND


def validate_barcode(code: str) -> None:
    """Raise a clear message for a barcode that cannot be right (already normalised)."""
    if not code:
        return
    if len(code) > BARCODE_LENGTH:
        raise ValidationError(
            _("A barcode has at most %(max)s characters."), params={"max": BARCODE_LENGTH}
        )
    if code.isdigit() and len(code) in GTIN_KINDS:
        if not gs1_valid(code):
            raise ValidationError(
                _(
                    "%(code)s is not a valid %(kind)s: its check digit should be %(digit)s. "
                    "Check the digits against the label."
                ),
                params={
                    "code": code,
                    "kind": GTIN_KINDS[len(code)],
                    "digit": gs1_check_digit(code[:-1]),
                },
            )
        return
    if not OTHER_PATTERN.match(code):
        raise ValidationError(
            _("A barcode holds only letters, digits and the signs - . / + $ %, without spaces.")
        )
