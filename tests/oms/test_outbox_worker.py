"""The outbox delivered by a real Celery worker process over the real broker."""

import contextlib
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from inventory.models import StockLevel
from inventory.services import low_stock_digest_send, stock_receive
from oms import celery_app
from oms.choices import OutboxStatus
from oms.models import OutboxMessage
from oms.services import outbox_enqueue
from oms.tasks import deliver_outbox_message, flush_outbox
from tests.factories import ProductFactory, UserFactory, WarehouseFactory

QUEUES = ["default", "notifications", "documents"]


def worker_environment(mail_dir: Path) -> dict[str, str]:
    """The worker talks to this test's database, writes e-mail into mail_dir, and text
    messages and exports into the folders next to it."""
    env = {
        **os.environ,
        "EMAIL_FILE_PATH": str(mail_dir),
        "OMS_FILE_JOB_DIR": str(mail_dir.parent / "exports"),
        # Small chunks, so a test batch of a few dozen documents shows its chunks.
        "OMS_DOCUMENT_BATCH_CHUNK": "10",
        "OMS_SMS_BACKEND": "oms.sms.FileBackend",
        "OMS_SMS_FILE_PATH": str(mail_dir.parent / "sms"),
    }
    test_db = connection.settings_dict["NAME"]
    if "DATABASE_URL" in os.environ:
        base, _, _old = os.environ["DATABASE_URL"].rpartition("/")
        env["DATABASE_URL"] = f"{base}/{test_db}"
    else:
        env["OMS_EMBEDDED_DB_NAME"] = test_db
    return env


def purge_queues(queues=QUEUES):
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in queues:
            # A queue that was never declared has nothing to purge.
            with contextlib.suppress(Exception):
                channel.queue_purge(queue)


@contextlib.contextmanager
def running_worker(tmp_path: Path, queues: list[str]):
    """A Celery worker process on these queues (emptied first), logging to worker.log, with
    the test's database; yields the mail folder."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    purge_queues(queues)
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "oms",
            "worker",
            "--pool",
            "solo",
            "-Q",
            ",".join(queues),
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=worker_environment(mail_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield mail_dir
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    with running_worker(tmp_path, QUEUES) as mail_dir:
        yield mail_dir


def wait_for(predicate, timeout=45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def task_outcome(log: Path, task_id: str) -> str | None:
    """The line the worker logs (-l info) when a task ends: "Task x[id] succeeded in 0.02s: 'sent'"."""
    for line in log.read_text().splitlines():
        if f"[{task_id}] succeeded in " in line or f"[{task_id}] raised " in line:
            return line
    return None


def sent_mail(mail_dir: Path) -> str:
    return "".join(p.read_text() for p in sorted(mail_dir.glob("*.log")))


def test_low_stock_digest_is_delivered_once_by_the_worker(celery_worker_process, tmp_path):
    mail_dir = celery_worker_process
    UserFactory(username="keeper", email="keeper@example.com", role="warehouse")
    product = ProductFactory(sku="CL-0042", name="星空吸顶灯")
    movement = stock_receive(
        actor=None, product=product, warehouse=WarehouseFactory(code="SH1"), quantity=2
    )
    StockLevel.objects.filter(pk=movement.stock_level_id).update(safety_stock=10)

    assert low_stock_digest_send() == 1  # commits, then the task goes to the broker
    message = OutboxMessage.objects.get()
    assert wait_for(lambda: OutboxMessage.objects.get().status == OutboxStatus.SENT), (
        tmp_path / "worker.log"
    ).read_text()[-3000:]
    mail = sent_mail(mail_dir)
    assert "keeper@example.com" in mail
    assert "CL-0042" in mail

    # Running the job again the same day, or the task twice, sends nothing more.
    assert low_stock_digest_send() == 1
    log = tmp_path / "worker.log"
    again = deliver_outbox_message.delay(message.pk)
    assert wait_for(lambda: task_outcome(log, again.id)), log.read_text()[-3000:]
    assert task_outcome(log, again.id).endswith(": 'skipped'")
    assert OutboxMessage.objects.count() == 1
    assert len(list(mail_dir.glob("*.log"))) == 1
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.sent_at is not None


def test_a_message_left_pending_is_picked_up_by_the_flush_job(celery_worker_process):
    """When the broker was down at commit time the row stays pending; beat's flush sends it."""
    mail_dir = celery_worker_process
    message = OutboxMessage.objects.create(
        dedupe_key="lost-at-commit",
        recipients=["finance@example.com"],
        subject="对账提醒",
        body="请核对。",
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert flush_outbox() == 1
    assert wait_for(lambda: OutboxMessage.objects.get().status == OutboxStatus.SENT)
    assert "finance@example.com" in sent_mail(mail_dir)


@pytest.mark.django_db
def test_enqueue_is_deferred_to_commit_and_deduplicated(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(deliver_outbox_message, "delay", lambda pk: sent.append(pk))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = outbox_enqueue(dedupe_key="k1", recipients=["a@example.com"], subject="s", body="b")
        again = outbox_enqueue(dedupe_key="k1", recipients=["a@example.com"], subject="s", body="b")
    assert again is None
    assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [first.pk]
