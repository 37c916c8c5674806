"""Secret links stay out of the logs.

An app whose URLs carry a secret (the customer's order page, /track/<token>/) registers the
path prefix (`oms.registry.register_secret_path`); the path segment after it is written as
"[redacted]" wherever a request line reaches a log: gunicorn's access log
(`RedactingGunicornLogger`, set in gunicorn.conf.py), Django's request and development
server loggers and the console handler (`RedactSecretPaths`, in settings.LOGGING).

Light on purpose: gunicorn's master imports this before Django is set up.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"
_prefixes: list[str] = []
_pattern: re.Pattern[str] | None = None


def add_secret_prefix(prefix: str) -> None:
    """Treat the segment after `prefix` ("/track/") as a secret in every log line."""
    global _pattern
    if prefix not in _prefixes:
        _prefixes.append(prefix)
        alternatives = "|".join(re.escape(p) for p in _prefixes)
        # Up to the next slash, query, fragment, space or quote; percent-encoded too.
        _pattern = re.compile(rf"({alternatives})[^/?#\s\"'<>]+")


def redact(text: str) -> str:
    """`text` with the secret segment of every registered path replaced."""
    if _pattern is None or not text:
        return text
    return _pattern.sub(rf"\1{REDACTED}", text)


class RedactSecretPaths(logging.Filter):
    """A logging filter: the record's message with secret paths redacted (its arguments
    merged in, so a formatter cannot put them back)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _pattern is None:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business, not ours
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        # Django's request logger attaches the request, which a handler might print.
        if hasattr(record, "request"):
            record.request = None
        return True


_FORMAT_KEY = re.compile(r"%\(([^)]*)\)")


def _printed_atoms(atoms: dict[str, Any], log_format: str) -> dict[str, Any]:
    """The atoms `log_format` prints, redacted; the others (every header and environ value,
    dozens a request) are never written, so neither redacted nor handed on."""
    printed = {}
    for key in _FORMAT_KEY.findall(log_format):
        # gunicorn reads "{Header}i", "{header}o" and "{variable}e" in lower case.
        key = key.lower() if key.startswith("{") else key
        if key in atoms:
            value = atoms[key]
            printed[key] = redact(value) if isinstance(value, str) else value
    return printed


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is installed wherever it is used
    _GunicornLogger = object  # type: ignore[assignment,misc]


class RedactingGunicornLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with every access-log value it prints (request line, path, query,
    referrer, headers, environ) passed through `redact`."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        return _printed_atoms(atoms, self.cfg.access_log_format)
