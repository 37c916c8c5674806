"""All rounding of money happens here: to 0.01, with the mode from OMS_ROUNDING."""

import decimal
from decimal import Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def rounding_mode() -> str:
    from django.conf import settings

    mode = getattr(settings, "OMS_ROUNDING", decimal.ROUND_HALF_UP)
    if not mode.startswith("ROUND_") or not hasattr(decimal, mode):
        raise ValueError(f"OMS_ROUNDING must be one of decimal's ROUND_* modes, not {mode!r}")
    return mode


def round_money(value: Decimal, mode: str | None = None) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=mode or rounding_mode())
