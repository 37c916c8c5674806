"""Text messages (SMS) through a pluggable backend, the way Django sends e-mail.

`OMS_SMS_BACKEND` names the backend class: `oms.sms.FileBackend` (development default: one
file per message under `OMS_SMS_FILE_PATH`), `oms.sms.ConsoleBackend` (prints), or
`oms.sms.LocmemBackend` (tests: kept in `oms.sms.outbox`). A provider is one more class with
`send_messages()`; a failure it may recover from (network, rate limit) raises OSError, and the
outbox retries it with backoff.

Length: one SMS carries 70 characters of Chinese (UCS-2) or 160 of plain Latin text (GSM
7-bit). A longer text is split into the parts of a concatenated SMS (67 or 153 characters
each, the rest of each part carries the header that joins them on the phone), up to
`OMS_SMS_MAX_PARTS` parts; a text that needs more is refused (`SmsTooLong`) and never sent.
"""

from __future__ import annotations

import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from oms.logredact import redact

# The GSM 03.38 basic character set: a text of only these fits 160 characters per SMS.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
UCS2_SINGLE, UCS2_PART = 70, 67
GSM7_SINGLE, GSM7_PART = 160, 153


class SmsTooLong(ValueError):
    """A text that needs more parts than OMS_SMS_MAX_PARTS."""


def _units(char: str) -> int:
    """UTF-16 code units: a character outside the BMP (an emoji) takes two of the 70."""
    return 2 if ord(char) > 0xFFFF else 1


def sms_parts(text: str, *, max_parts: int | None = None) -> list[str]:
    """The SMS a text is sent as: one when it fits, else the parts of a concatenated SMS.
    Raises SmsTooLong past `max_parts` (OMS_SMS_MAX_PARTS)."""
    limit = settings.OMS_SMS_MAX_PARTS if max_parts is None else max_parts
    if GSM7.issuperset(text):
        single, part = GSM7_SINGLE, GSM7_PART
    else:
        single, part = UCS2_SINGLE, UCS2_PART
    # Every message is measured, most fit one SMS: its UTF-16 code units counted by the codec
    # rather than character by character (a lone surrogate passes as the one unit it is).
    units = len(text.encode("utf-16-le", "surrogatepass")) // 2
    if units <= single:
        return [text]
    if units == len(text):  # no character takes two units: a part every `part` characters
        parts = [text[start : start + part] for start in range(0, len(text), part)]
    else:
        parts = _parts_by_units(text, part)
    if len(parts) > limit:
        raise SmsTooLong(f"{len(parts)} SMS parts, at most {limit} allowed")
    return parts


def _parts_by_units(text: str, part: int) -> list[str]:
    """The text cut into parts of at most `part` UTF-16 code units, never inside a
    surrogate pair."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        if size + _units(char) > part:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += _units(char)
    parts.append("".join(current))
    return parts


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str

    @property
    def parts(self) -> list[str]:
        return sms_parts(self.text)


class BaseSmsBackend:
    def send_messages(self, messages: list[SmsMessage]) -> int:
        """Send the messages; returns how many were sent. Raise OSError to be retried."""
        raise NotImplementedError

    @staticmethod
    def format(message: SmsMessage, when: datetime) -> str:
        parts = message.parts
        lines = [f"To: {message.to}", f"Date: {when.isoformat()}", f"Parts: {len(parts)}", ""]
        lines += [
            f"[{n}/{len(parts)}] {part}" if len(parts) > 1 else part
            for n, part in enumerate(parts, 1)
        ]
        return "\n".join(lines) + "\n"


class ConsoleBackend(BaseSmsBackend):
    """Prints each message (development). What it prints lands in the process's log, so a
    secret link in the text (the order page's /track/<token>/) is redacted (oms.logredact);
    the file backend stands for the phone and keeps the whole text."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            # Redacted whole: a link split between two parts would escape the pattern.
            parts = len(message.parts)
            lines = [f"To: {message.to}", f"Date: {timezone.now().isoformat()}"]
            lines += [f"Parts: {parts}", "", redact(message.text)]
            sys.stdout.write("\n".join(lines) + "\n" + "-" * 40 + "\n")
        sys.stdout.flush()
        return len(messages)


class FileBackend(BaseSmsBackend):
    """One file per message under OMS_SMS_FILE_PATH (development, and the worker tests)."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        folder = Path(settings.OMS_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            now = timezone.now()
            name = f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.log"
            (folder / name).write_text(self.format(message, now), encoding="utf-8")
        return len(messages)


class LocmemBackend(BaseSmsBackend):
    """Keeps the messages in `oms.sms.outbox` (tests)."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


outbox: list[SmsMessage] = []


def get_backend() -> BaseSmsBackend:
    return import_string(settings.OMS_SMS_BACKEND)()


def send_sms(to: str, text: str) -> None:
    """Send one text message through the configured backend (checked for length first)."""
    message = SmsMessage(to=to, text=text)
    message.parts  # noqa: B018 - refuses a text that is too long before the backend sees it
    get_backend().send_messages([message])
