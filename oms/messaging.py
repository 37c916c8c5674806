"""Messages to customers: one service, `notify(customer, event_code, context)`.

An app registers the events it tells customers about (`oms.registry.register_message_event`,
with the default wording per language and whether the message is essential), and calls
`notify` inside its own transaction. `notify` picks the customer's language and channel,
renders the event's template (stored in `MessageTemplate`, editable by staff) and writes an
outbox row in the caller's transaction: if the caller rolls back, no message exists; once it
commits, a worker delivers it (e-mail through Django's backend, SMS through `oms.sms`).

What cannot be sent is recorded, never raised: a customer who opted out of non-essential
messages, no e-mail address or phone, no template text, a text too long for an SMS, a template
that no longer renders. Such a row has status "skipped" and the reason in `last_error`, so the
customer's communication log shows it.

Templates are Django templates rendered in a small sandbox: only the context given (plain
values: text, numbers, dates; anything else becomes its text), no template loading, a short
list of allowed tags, and autoescaping for the HTML part of an e-mail.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from oms import together
from oms.choices import MessageChannel, MessageLanguage, OutboxStatus
from oms.db import insert_unless_conflict, model_columns, new_row
from oms.models import MessageTemplate, OutboxMessage
from oms.registry import MessageEvent, message_event, registry
from oms.services import audit_record, model_save
from oms.sms import SmsTooLong, send_sms, sms_parts
from oms.types import User

logger = logging.getLogger(__name__)

# Demo history replays 18 months of orders: their customers must not be told about them now.
# Process-wide, not a context variable: the demo writes orders from several threads.
_suppressing = 0
_suppressing_lock = threading.Lock()


@contextmanager
def messages_suppressed() -> Iterator[None]:
    """While this block runs, `notify` in this process writes nothing (replaying history)."""
    global _suppressing
    with _suppressing_lock:
        _suppressing += 1
    try:
        yield
    finally:
        with _suppressing_lock:
            _suppressing -= 1


# A demo seeder that means to show messages (the latest parcels' news) writes them in this
# thread while the rest of the replay stays quiet.
_allowed_here = threading.local()


@contextmanager
def messages_allowed() -> Iterator[None]:
    """Inside `messages_suppressed`, `notify` in this thread writes again (a demo seeder that
    shows what customers were told)."""
    previous = getattr(_allowed_here, "on", False)
    _allowed_here.on = True
    try:
        yield
    finally:
        _allowed_here.on = previous


class MessageRecipient(Protocol):
    """What notify reads on a customer (customers.Customer has these fields)."""

    pk: Any
    email: str
    phone: str
    language: str
    preferred_channel: str
    opt_out_non_essential: bool


# --- templates -----------------------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    [
        "if",
        "elif",
        "else",
        "endif",
        "for",
        "empty",
        "endfor",
        "with",
        "endwith",
        "firstof",
        "spaceless",
        "endspaceless",
        "comment",
        "endcomment",
        "filter",
        "endfilter",
        "autoescape",
        "endautoescape",
        "now",
        "cycle",
    ]
)

_TEXT = Engine(loaders=[], libraries={}, autoescape=False, string_if_invalid="", debug=False)
_HTML = Engine(loaders=[], libraries={}, autoescape=True, string_if_invalid="", debug=False)


def check_template(text: str) -> None:
    """Refuse a template that does not compile or uses a tag outside ALLOWED_TAGS ({% load %},
    {% include %}, {% debug %}, {% url %} ...): raises TemplateSyntaxError."""
    for token in Lexer(text).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if name not in ALLOWED_TAGS:
                raise TemplateSyntaxError(
                    _("The tag “%(tag)s” is not allowed in message templates.") % {"tag": name}
                )
    _TEXT.from_string(text)


def plain_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """The context as plain values: text, numbers, dates, and lists and dicts of them.

    Anything else (a model instance, a queryset, a function) becomes its text, so a template
    cannot reach attributes, methods or related rows the caller did not mean to give it.
    """

    def plain(value: Any) -> Any:
        if value is None or isinstance(value, str | bool | int | float | Decimal | date):
            return value
        if isinstance(value, Promise):
            return str(value)
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in value.items()}
        return str(value)

    return {str(key): plain(value) for key, value in context.items()}


@lru_cache(maxsize=512)
def _compiled(text: str, html: bool) -> Template:
    """A checked, compiled template; the same text is compiled once per process."""
    check_template(text)
    return (_HTML if html else _TEXT).from_string(text)


def render(text: str, context: Mapping[str, Any], *, html: bool = False) -> str:
    """Render a message template in the sandbox (the active language formats dates)."""
    return _render_plain(text, plain_context(context), html)


def _render_plain(text: str, plain: dict[str, Any], html: bool) -> str:
    return _compiled(text, html).render(Context(plain, autoescape=html))


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    html_body: str
    sms: str


def render_message(
    template: MessageTemplate, context: Mapping[str, Any], *, channel: str | None = None
) -> RenderedMessage:
    """A template's parts in its language: e-mail subject, text and HTML, SMS text. With a
    `channel` only what that channel sends (and the subject) is rendered, the rest is "": an
    order import tells thousands of customers, each by one channel."""
    plain = plain_context(context)
    body = html_body = sms = ""
    with translation.override(template.language):
        subject = " ".join(_render_plain(template.subject, plain, False).split())  # one line
        if channel != MessageChannel.SMS:
            body = _render_plain(template.body, plain, False).strip()
            html_text = _render_plain(template.body, plain, True).strip()
            html_body = render_to_string(
                "oms/email/message.html",
                {
                    "subject": subject,
                    "content": mark_safe(linebreaks(html_text)),
                    "company": settings.OMS_COMPANY_NAME,
                },
            )
        if channel != MessageChannel.EMAIL and template.sms_body:
            sms = " ".join(_render_plain(template.sms_body, plain, False).split())
    return RenderedMessage(subject=subject, body=body, html_body=html_body, sms=sms)


def sync_message_templates() -> int:
    """Make a template row per registered event and language from the registered defaults;
    rows staff have not edited follow a changed default. Run after every `migrate` (like the
    role groups): no data migration imports live code. Returns the rows written."""
    written = 0
    for event in registry.message_events.values():
        for language, text in event.defaults.items():
            defaults = {"subject": text.subject, "body": text.body, "sms_body": text.sms}
            row, created = MessageTemplate.objects.get_or_create(
                event_code=event.code, language=language, defaults=defaults
            )
            if created:
                written += 1
            elif not row.is_customised and any(getattr(row, k) != v for k, v in defaults.items()):
                MessageTemplate.objects.filter(pk=row.pk).update(**defaults)
                written += 1
    return written


# --- sending -------------------------------------------------------------------------------


def _language(customer: MessageRecipient) -> str:
    if customer.language in MessageLanguage.values:
        return customer.language
    return translation.get_supported_language_variant(settings.LANGUAGE_CODE)


def _channel_and_address(customer: MessageRecipient, prefer_email: bool = False) -> tuple[str, str]:
    """The preferred channel when the customer has its address, else the other one; ("", "")
    when there is neither an e-mail address nor a phone number. `prefer_email`: e-mail first
    whatever the customer prefers (a message whose attachments an SMS cannot carry)."""
    addresses = {
        MessageChannel.EMAIL: (customer.email or "").strip(),
        MessageChannel.SMS: (customer.phone or "").strip(),
    }
    preferred = (
        MessageChannel.SMS
        if customer.preferred_channel == MessageChannel.SMS and not prefer_email
        else MessageChannel.EMAIL
    )
    other = MessageChannel.EMAIL if preferred == MessageChannel.SMS else MessageChannel.SMS
    for channel in (preferred, other):
        if addresses[channel]:
            return channel.value, addresses[channel]
    return "", ""


def recipient_ref(customer: Any) -> str:
    """ "customers.customer:42": whom an outbox row was for, without the kernel knowing the app."""
    return f"{customer._meta.label_lower}:{customer.pk}"


def _dedupe_key(event: MessageEvent, ref: str, key: str | None) -> str:
    raw = f"notify:{event.code}:{ref}:{key if key is not None else uuid.uuid4().hex}"
    if len(raw) <= 200:
        return raw
    return f"notify:{hashlib.sha256(raw.encode()).hexdigest()}"


def notify(
    customer: MessageRecipient,
    event_code: str,
    context: Mapping[str, Any],
    *,
    key: str | None = None,
    cc: list[str] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    about: Iterable[Any] = (),
) -> OutboxMessage | None:
    """Tell a customer about an event, in the caller's transaction.

    `about`: the rows the message is about (an order), so their pages list it.

    With `attachments` ([{"code": ..., "args": {...}}], see register_attachment_maker) the
    message goes by e-mail when the customer has an address, whatever channel they prefer;
    `cc` (e-mail addresses) are copied on an e-mail and ignored for an SMS.

    Writes one outbox row: pending (a worker sends it after commit) or skipped with the
    reason. `key` makes the call idempotent: the same event, customer and key a second time
    writes nothing and returns None (a job that runs twice sends one message). An event code
    no app registered is a programming error (LookupError). Inside oms.together.together()
    the row is written with the block's others and returned unsaved.
    """
    event = message_event(event_code)
    if _suppressing and not getattr(_allowed_here, "on", False):
        return None
    ref = recipient_ref(customer)
    dedupe_key = _dedupe_key(event, ref, key)
    language = _language(customer)
    channel, address = _channel_and_address(customer, prefer_email=bool(attachments))
    is_email = channel == MessageChannel.EMAIL
    row = new_row(
        OutboxMessage,
        dedupe_key=dedupe_key,
        event_code=event.code,
        recipient_ref=ref,
        language=language,
        channel=channel or MessageChannel.EMAIL,
        recipients=[address] if address else [],
        subject=str(event.label)[:250],
        body="",
        cc=[a for a in cc or () if a] if is_email else [],
        attachments=list(attachments or ()) if is_email else [],
        about_refs=sorted({recipient_ref(obj) for obj in about}),
    )
    reason = ""
    if not event.essential and customer.opt_out_non_essential:
        reason = "opted out of non-essential messages"
    elif not channel:
        reason = "no e-mail address or phone number"
    else:
        reason = _fill(row, event, context)
    if reason:
        row.status = OutboxStatus.SKIPPED
        row.last_error = reason
        logger.info("message %s to %s not sent: %s", event.code, ref, reason)
    held = together.held()
    if held is not None:
        held.messages.append(row)
        return row
    # ON CONFLICT DO NOTHING: a second call with the same key writes nothing (no savepoint).
    if not insert_unless_conflict(row):
        return None
    if row.status == OutboxStatus.PENDING:
        from oms.tasks import deliver_outbox_message, enqueue_on_commit

        enqueue_on_commit(deliver_outbox_message, row.pk)
    return row


def _template(event_code: str, language: str) -> MessageTemplate | None:
    """The event's template in the language (unique), read as it is: every message reads one,
    so by a hand-written SELECT rather than a query the ORM compiles each time."""
    columns = model_columns(MessageTemplate)
    table = MessageTemplate._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.sql} FROM {table} WHERE event_code = %s AND language = %s",
            [event_code, language],
        )
        found = cursor.fetchone()
    return columns.load(found) if found is not None else None


def _fill(row: OutboxMessage, event: MessageEvent, context: Mapping[str, Any]) -> str:
    """Render the template into the row; returns why it cannot be sent, or ""."""
    held = together.held()
    if held is not None and (event.code, row.language) in held.templates:
        template = held.templates[event.code, row.language]
    else:
        template = _template(event.code, row.language)
        if held is not None:
            held.templates[event.code, row.language] = template
    if template is None or (row.channel == MessageChannel.SMS and not template.sms_body.strip()):
        return f"no {row.channel} template in {row.language}"
    try:
        rendered = render_message(
            template, {"company": settings.OMS_COMPANY_NAME, **context}, channel=row.channel
        )
    except TemplateSyntaxError as exc:
        return f"template does not render: {exc}"
    row.subject = rendered.subject[:250] or str(event.label)[:250]
    if row.channel == MessageChannel.SMS:
        row.body = rendered.sms
        try:
            sms_parts(rendered.sms)
        except SmsTooLong as exc:
            return f"too long for SMS: {exc}"
    else:
        row.body, row.html_body = rendered.body, rendered.html_body
    return ""


def send_outbox_message(message: OutboxMessage) -> None:
    """Deliver one outbox row by its channel; OSError means try again later."""
    if message.channel == MessageChannel.SMS:
        for phone in message.recipients:
            send_sms(phone, message.body)
        return
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=message.recipients,
        cc=message.cc,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for attachment in message.attachments:
        maker = registry.attachment_makers[attachment["code"]]
        with translation.override(message.language or None):
            email.attach(*maker(**attachment.get("args", {})))
    email.send()


def validate_template_texts(event: MessageEvent, data: Mapping[str, str]) -> None:
    """Refuse template texts that do not compile, use a tag outside the sandbox, or whose SMS
    with the event's sample values would be longer than an SMS may be (ValidationError per
    field)."""
    errors: dict[str, str] = {}
    for field in ("subject", "body", "sms_body"):
        text = data.get(field, "")
        try:
            check_template(text)
        except TemplateSyntaxError as exc:
            errors[field] = str(exc)
    if "sms_body" not in errors and data.get("sms_body", "").strip():
        sms = " ".join(render(data["sms_body"], event.sample).split())
        try:
            sms_parts(sms)
        except SmsTooLong:
            errors["sms_body"] = _(
                "With the sample values this text needs more than %(parts)s SMS parts; shorten it."
            ) % {"parts": settings.OMS_SMS_MAX_PARTS}
    if errors:
        raise ValidationError(errors)


TEMPLATE_FIELDS = ("subject", "body", "sms_body")


@transaction.atomic
def message_template_update(
    *, actor: User, template: MessageTemplate, data: Mapping[str, str]
) -> MessageTemplate:
    """Staff's wording for one event and language, checked and audited. An edited template
    keeps its text when the code's default changes (until it is reset)."""
    event = message_event(template.event_code)
    fields = {field: data[field] for field in TEMPLATE_FIELDS if field in data}
    validate_template_texts(event, {**_texts(template), **fields})
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    if all(getattr(template, field) == value for field, value in fields.items()):
        return template
    template.updated_by = actor
    return model_save(
        actor=actor,
        instance=template,
        data={**fields, "is_customised": True},
        action="message_template.update",
    )


@transaction.atomic
def message_template_reset(*, actor: User, template: MessageTemplate) -> MessageTemplate:
    """Back to the wording the code registers for this event and language."""
    event = message_event(template.event_code)
    text = event.defaults[template.language]
    template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
    template.subject, template.body, template.sms_body = text.subject, text.body, text.sms
    template.is_customised, template.updated_by = False, actor
    template.save()
    audit_record(actor=actor, action="message_template.reset", obj=template)
    return template


def _texts(template: MessageTemplate) -> dict[str, str]:
    return {field: getattr(template, field) for field in TEMPLATE_FIELDS}
