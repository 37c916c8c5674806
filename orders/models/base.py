"""What the rule and order models share."""

from django.db import models
from django.db.models import F, Func, Value
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}

# The sequence part of an order number without its zeros ("SO-2026-002002" → "2002"), so a
# number read out on the phone as "two thousand and two" is found. Text, not an integer: a
# cast would fail on a number that is not PREFIX-YEAR-NNNNNN, and the index must never fail.
ORDER_NUMBER_SEQUENCE = Func(
    Func(F("number"), Value("-"), Value(3), function="split_part"),
    Value("0"),
    function="ltrim",
    output_field=models.CharField(),
)


def strip_required(instance: models.Model, *names: str) -> dict[str, str]:
    """Strip surrounding spaces from text fields; a field left empty is an error on it."""
    errors = {}
    for name in names:
        raw = getattr(instance, name) or ""
        setattr(instance, name, raw.strip())
        if raw and not raw.strip():  # all spaces; an empty value is caught by the field itself
            errors[name] = _("This field cannot be blank.")
    return errors
