import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from oms import filejobs
from oms.choices import OutboxStatus
from oms.messaging import send_outbox_message
from oms.models import OutboxMessage
from oms.sms import SmsTooLong

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def retrying_task(*, time_limit: int, soft_time_limit: int):
    """A Celery task (decorator) that any error retries with backoff, 10 s doubling up to
    10 minutes, at most five times, and that is stopped after `time_limit` seconds."""
    return shared_task(
        autoretry_for=(Exception,),
        retry_backoff=10,
        retry_backoff_max=600,
        max_retries=5,
        time_limit=time_limit,
        soft_time_limit=soft_time_limit,
    )


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS,
    time_limit=60,
    soft_time_limit=50,
)
def deliver_outbox_message(self, message_id: int) -> str:
    """Send one outbox message (e-mail or SMS, by its channel). Running it twice sends it once."""
    error: OSError | None = None
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxStatus.PENDING)
            .first()
        )
        if message is None:
            return "skipped"
        message.attempts += 1
        try:
            send_outbox_message(message)
        except SmsTooLong as exc:  # OMS_SMS_MAX_PARTS was lowered since it was written
            message.status = OutboxStatus.FAILED
            message.last_error = str(exc)
        except OSError as exc:
            error = exc
            message.last_error = str(exc)[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
                logger.error("outbox message %s failed for good: %s", message_id, exc)
        if error is None and message.status == OutboxStatus.PENDING:
            message.status = OutboxStatus.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    if error is not None and message.status == OutboxStatus.PENDING:
        raise error  # autoretry_for schedules the next attempt with backoff
    return message.status


@shared_task(time_limit=120, soft_time_limit=110)
def flush_outbox() -> int:
    """Re-queue messages still pending a minute after they were written (broker was down)."""
    cutoff = timezone.now() - timedelta(minutes=1)
    ids = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    for message_id in ids:
        deliver_outbox_message.delay(message_id)
    return len(ids)


# Inside tasks_together(): the tasks enqueued so far whose transaction committed.
_together: ContextVar[list[tuple[str, list]] | None] = ContextVar("tasks_together", default=None)


def enqueue_on_commit(task, *args) -> None:
    """Start a task once the transaction commits; if the broker is down, log and go on.

    The database already holds what matters (an outbox row, a back-ordered order), and a beat
    job picks it up later, so a broker outage must not turn a saved change into an error page.
    Inside `tasks_together()` the task goes to the broker with the block's others.
    """
    together = _together.get()
    if together is not None:
        # Registered like a send, so a savepoint rolled back takes the task back with it.
        transaction.on_commit(lambda: together.append((task.name, list(args))))
        return
    transaction.on_commit(lambda: _send(task, args))


def _send(task, args) -> None:
    try:
        task.delay(*args)
    except Exception:
        logger.warning(
            "could not queue %s%r; a periodic job will catch up", task.name, args, exc_info=True
        )


@contextmanager
def tasks_together() -> Iterator[None]:
    """The tasks the block enqueues (enqueue_on_commit) go to the broker in one message once
    the transaction commits, and a worker starts each of them (start_tasks): a batch of 200
    orders makes one round trip to the broker instead of hundreds. A block inside another
    leaves its tasks to the outer one. Nothing is sent when the block fails."""
    if _together.get() is not None:
        yield
        return
    together: list[tuple[str, list]] = []
    token = _together.set(together)
    try:
        yield
    finally:
        _together.reset(token)
    # Runs after the block's own callbacks (on_commit keeps the order they were registered).
    transaction.on_commit(lambda: together and _send(start_tasks, (list(together),)))


@shared_task(time_limit=300, soft_time_limit=280)
def start_tasks(tasks: list[list]) -> int:
    """Start each [task name, arguments] a tasks_together() block enqueued, on its own queue
    with its own retries."""
    for name, args in tasks:
        _send(current_app.tasks[name], args)
    return len(tasks)


@shared_task(
    time_limit=settings.OMS_FILE_JOB_TIME_LIMIT,
    soft_time_limit=settings.OMS_FILE_JOB_TIME_LIMIT - 60,
)
def file_job_run(job_id: str) -> str:
    """Write one file job's file (queue "documents"): a CSV export, a batch of documents.
    Running it twice writes it once; it is never retried: a failed job says so on its page
    and the user starts another."""
    return filejobs.file_job_run(job_id=job_id)


@shared_task(time_limit=600, soft_time_limit=540)
def file_jobs_clean_up() -> int:
    """Daily: remove old file jobs and their files; fail jobs that a killed worker left."""
    return filejobs.file_jobs_clean_up()


@shared_task(
    time_limit=settings.OMS_FILE_JOB_TIME_LIMIT,
    soft_time_limit=settings.OMS_FILE_JOB_TIME_LIMIT - 60,
)
def import_job_run(job_id: str) -> str:
    """Check or import one uploaded file (queue "documents"). Running it twice runs it once;
    never retried: a failed import says why on its page, and what it had imported stays (each
    batch is its own transaction, so no order is half-written)."""
    from oms import imports

    return imports.job_run(job_id=job_id)


@shared_task(time_limit=600, soft_time_limit=540)
def import_jobs_clean_up() -> int:
    """Daily: fail imports a killed worker left; remove old imports and their files."""
    from oms import imports

    return imports.jobs_clean_up()
