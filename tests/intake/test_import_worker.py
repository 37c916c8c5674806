"""Imports run by a real Celery worker process over the real broker: the commit's progress,
and a worker killed in the middle of a file (what it committed is whole, the job is reported,
and importing the file again finishes it)."""

import os
import signal
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone

from customers.models import Customer
from oms import imports
from oms.choices import FileJobStatus
from oms.models import ImportJob
from tests.factories import UserFactory
from tests.intake.helpers import worker
from tests.oms.test_outbox_worker import wait_for

HEADER = "code,name,phone,email,region,city,street\n"


def rows(count: int) -> str:
    return HEADER + "".join(
        f"W-{n:05d},客户{n},138{n:08d},,SH,上海,路 {n} 号\n" for n in range(count)
    )


def job(pk) -> ImportJob:
    return ImportJob.objects.get(pk=pk)


def log_tail(tmp_path) -> str:
    return (tmp_path / "worker.log").read_text()[-3000:]


@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_then_imports_with_progress(tmp_path):
    user = UserFactory(username="importer", role="manager")
    with worker(tmp_path):
        check = imports.job_start(
            user=user,
            kind="customers",
            upload=SimpleUploadedFile("c.csv", rows(30).encode()),
            dry_run=True,
            language="zh-hans",
        )
        assert wait_for(lambda: job(check.pk).status == FileJobStatus.DONE), log_tail(tmp_path)
        assert job(check.pk).created == 30
        assert Customer.objects.count() == 0
        commit = imports.job_commit(user=user, checked=job(check.pk))
        assert wait_for(lambda: job(commit.pk).status == FileJobStatus.DONE), log_tail(tmp_path)
    done = job(commit.pk)
    assert (done.rows_done, done.rows_total, done.created) == (30, 30, 30)
    assert Customer.objects.count() == 30


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_whole_rows_and_the_file_can_be_imported_again(
    tmp_path,
):
    user = UserFactory(username="importer", role="manager")
    total = 1500
    with worker(tmp_path) as process:
        started = imports.job_start(
            user=user,
            kind="customers",
            upload=SimpleUploadedFile("c.csv", rows(total).encode()),
            dry_run=False,
            language="en",
        )
        assert wait_for(lambda: job(started.pk).rows_done >= 200, timeout=90), log_tail(tmp_path)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
    killed = job(started.pk)
    assert killed.status == FileJobStatus.RUNNING
    made = Customer.objects.count()
    assert 0 < made < total
    assert made % 200 == 0  # whole batches only
    # Never half a row: every customer has its address.
    assert not Customer.objects.annotate(n=Count("addresses")).filter(n=0).exists()

    # The daily clean-up reports the job stopped; importing the file again finishes it.
    imports.jobs_clean_up(now=timezone.now() + timedelta(hours=2))
    reported = job(started.pk)
    assert reported.status == FileJobStatus.FAILED
    assert "stopped" in reported.error
    with worker(tmp_path):
        again = imports.job_start(
            user=user,
            kind="customers",
            upload=SimpleUploadedFile("c.csv", rows(total).encode()),
            dry_run=False,
            language="en",
        )
        assert wait_for(lambda: job(again.pk).status == FileJobStatus.DONE, timeout=120), log_tail(
            tmp_path
        )
    finished = job(again.pk)
    assert (finished.created, finished.skipped, finished.errors) == (total - made, made, 0)
    assert Customer.objects.count() == total
