"""All rounding of money happens here: to 0.01, with the mode from OMS_ROUNDING."""

import decimal
from decimal import Decimal

from django.conf import settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


_VALID_MODES = frozenset(name for name in dir(decimal) if name.startswith("ROUND_"))


def rounding_mode() -> str:
    mode = getattr(settings, "OMS_ROUNDING", decimal.ROUND_HALF_UP)
    if mode not in _VALID_MODES:
        raise ValueError(f"OMS_ROUNDING must be one of decimal's ROUND_* modes, not {mode!r}")
    return mode


def round_money(value: Decimal, mode: str | None = None) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=mode or rounding_mode())
