"""Paths that lists link on every row, reversed once instead of once per row."""

import re

from django.urls import get_script_prefix, get_urlconf, reverse

# Characters that need no quoting in a path and that str and slug converters accept.
PLAIN = re.compile(r"[-A-Za-z0-9_]+")
MARK = "__oms_value__"
_SPLIT: dict[tuple[str, str, str | None], list[str]] = {}


def reverse_one(viewname: str, value: str) -> str:
    """reverse(viewname, args=[value]) for a path whose one argument is a str or slug
    (an order number, a code). The path is reversed once per URLconf and script prefix and
    the value put in its place; a value that would need quoting goes through reverse()."""
    if not PLAIN.fullmatch(value):
        return reverse(viewname, args=[value])
    key = (viewname, get_script_prefix(), get_urlconf())
    parts = _SPLIT.get(key)
    if parts is None:
        parts = reverse(viewname, args=[MARK]).split(MARK)
        if len(parts) != 2:  # the mark shows up twice: leave this path to reverse()
            return reverse(viewname, args=[value])
        _SPLIT[key] = parts
    return value.join(parts)
