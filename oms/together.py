"""Writing the side rows of a batch together.

A service placing 200 orders writes, besides the orders, an audit row and a customer message
for many of them and starts a task or two for each. Inside `together()` these are held and
written when the block ends: one INSERT for all audit rows, one for all outbox messages, and
one message to the broker for all tasks (oms.tasks.tasks_together). What is held is written
only when the block ends normally; a failure inside must end the block (the batch's
transaction then rolls back as a whole), as with orders.held_writes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from oms.choices import OutboxStatus
from oms.db import insert_rows
from oms.models import AuditLog, OutboxMessage


@dataclass
class Held:
    audits: list[AuditLog] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    # (event code, language) -> the message template, looked up once per block
    templates: dict[tuple[str, str], Any] = field(default_factory=dict)


_held: ContextVar[Held | None] = ContextVar("written_together", default=None)


def held() -> Held | None:
    """The block's held rows, or None outside a block."""
    return _held.get()


@contextmanager
def together() -> Iterator[None]:
    """Hold the block's audit rows, messages and tasks and write them at its end; an inner
    block leaves them to the outer."""
    from oms.tasks import tasks_together

    if _held.get() is not None:
        yield
        return
    rows = Held()
    token = _held.set(rows)
    try:
        with tasks_together():
            yield
            _write(rows)
    finally:
        _held.reset(token)


def _write(rows: Held) -> None:
    from oms.tasks import deliver_outbox_message, enqueue_on_commit

    if rows.audits:
        insert_rows(AuditLog, rows.audits)
    if rows.messages:
        # A key written before (a job run twice) or twice in the block is written once.
        OutboxMessage.objects.bulk_create(rows.messages, ignore_conflicts=True)
        keys = [m.dedupe_key for m in rows.messages if m.status == OutboxStatus.PENDING]
        pending = OutboxMessage.objects.filter(
            dedupe_key__in=keys, status=OutboxStatus.PENDING
        ).values_list("pk", flat=True)
        for message_id in pending:
            enqueue_on_commit(deliver_outbox_message, message_id)
    rows.audits.clear()
    rows.messages.clear()
