"""Big CSV exports run as jobs in a worker; small ones still stream from the list page."""

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from oms import exports, tasks
from oms.choices import FileJobStatus
from oms.filejobs import file_job_run, file_jobs_clean_up
from oms.generic import ObjectListView
from oms.models import FileJob
from oms.services import export_job_start
from orders.choices import OrderStatus
from orders.models import Order
from tests.factories import UserFactory
from tests.oms.test_outbox_worker import celery_worker_process, wait_for  # noqa: F401
from tests.oms.test_roles_matrix import our_url_patterns
from tests.orders.conftest import Catalog
from tests.security.test_exports import exported_rows, hostile_data  # noqa: F401

LIST_PAGES = [
    name
    for name, view in our_url_patterns()
    if view is not None and issubclass(view, ObjectListView)
]


def csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def export_dir(settings, tmp_path):
    settings.OMS_FILE_JOB_DIR = tmp_path / "exports"
    settings.OMS_EXPORT_INLINE_MAX_ROWS = 3
    return settings.OMS_FILE_JOB_DIR


@pytest.fixture
def no_worker(monkeypatch):
    """Tasks queued on commit are recorded instead of sent to the broker."""
    sent = []
    monkeypatch.setattr(tasks.file_job_run, "delay", lambda job_id: sent.append(job_id))
    return sent


@pytest.fixture
def orders(db):
    catalog = Catalog()
    product = catalog.product()
    customer = catalog.customer(name="=cmd|' /C calc'!A0")
    return [catalog.order(customer, (product, n + 1)) for n in range(5)]


def start_export(client, url="/orders/?status=draft&sort=-total"):
    """The export link's page, then its button: a POST (a GET writes nothing)."""
    page = client.get(url + "&export=csv")
    assert page.status_code == 200, page.status_code
    assert not FileJob.objects.exists()
    response = client.post(url + "&export=csv", {"export": "csv"})
    assert response.status_code == 302, response.status_code
    job = FileJob.objects.get()
    assert response["Location"] == reverse("file_job", args=[job.pk])
    return job


def test_a_small_export_still_streams_from_the_page(orders, client_for, settings):
    settings.OMS_EXPORT_INLINE_MAX_ROWS = 5  # exactly the limit: still inline
    response = client_for("sales").get("/orders/?export=csv")
    assert isinstance(response, StreamingHttpResponse)
    header, *rows = csv_rows(b"".join(response.streaming_content).decode())
    assert header[:3] == ["Number", "Created", "Customer"]
    assert len(rows) == 5
    assert not FileJob.objects.exists()


def test_the_order_list_exports_plain_values_without_model_instances(orders, client_for):
    client = client_for("sales")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/orders/?export=csv")
        rows = csv_rows(b"".join(response.streaming_content).decode())
    assert len(rows) == 6
    # One probe past the inline limit, then one values_list() query (no instance per row).
    selects = [q["sql"] for q in captured if "orders_order" in q["sql"]]
    assert len(selects) == 2, selects
    assert "CONCAT" in selects[1] or "||" in selects[1]  # name (code) from the database
    table = client.get("/orders/").context["table"]
    assert not exports.export_plan(table).needs_records


@pytest.mark.parametrize("name", LIST_PAGES)
def test_plain_values_and_model_instances_export_the_same(
    name,
    hostile_data,  # noqa: F811
    admin_client,
    monkeypatch,
):
    fast = exported_rows(admin_client, name)
    monkeypatch.setattr(exports.ExportPlan, "needs_records", property(lambda self: True))
    assert exported_rows(admin_client, name) == fast


def test_a_big_export_becomes_a_job_with_the_same_filters(
    orders, client_for, export_dir, no_worker, django_capture_on_commit_callbacks, settings
):
    client = client_for("sales")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_export(client)
    assert job.status == FileJobStatus.QUEUED
    assert job.list_name == "orders:list"
    assert job.query_string == "status=draft&sort=-total"
    assert job.path == "/orders/"
    assert no_worker == [str(job.pk)]

    assert file_job_run(job_id=job.pk) == "done"
    assert file_job_run(job_id=job.pk) == "skipped"  # a second delivery writes nothing
    job.refresh_from_db()
    assert (job.status, job.items_total, job.items_done) == (FileJobStatus.DONE, 5, 5)
    assert sorted(p.name for p in export_dir.iterdir()) == [f"{job.pk}.csv"]

    response = client.get(reverse("file_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="orders-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    header, *rows = csv_rows(text)
    # The file holds what the page streams for the same filters and sorting.
    settings.OMS_EXPORT_INLINE_MAX_ROWS = 100
    inline = client.get("/orders/?status=draft&sort=-total&export=csv")
    assert b"".join(inline.streaming_content).decode() == text
    totals = [row[header.index("Total")] for row in rows]
    assert totals == sorted(totals, key=float, reverse=True)
    assert all(row[header.index("Customer")].startswith("'=cmd") for row in rows)
    assert {row[header.index("Status")] for row in rows} == {"Draft"}


def test_only_the_owner_or_an_administrator_gets_the_file(
    orders, client, export_dir, no_worker, user_with_role
):
    owner = user_with_role("sales")
    client.force_login(owner)
    job = start_export(client)
    file_job_run(job_id=job.pk)
    status, download = (
        reverse("file_job", args=[job.pk]),
        reverse("file_job_download", args=[job.pk]),
    )
    assert client.get(download).status_code == 200

    client.force_login(UserFactory(username="other-sales", role="sales"))
    assert client.get(status).status_code == 404
    assert client.get(download).status_code == 404

    client.force_login(UserFactory(username="the-admin", role="admin"))
    assert client.get(download).status_code == 200

    client.logout()
    assert client.get(download).status_code == 302  # to the sign-in page


def test_a_failed_export_is_never_offered(orders, client_for, export_dir, no_worker, monkeypatch):
    client = client_for("sales")
    job = start_export(client)

    def cut_short(plan, data, out, progress=None):
        out.write("\ufeffNumber\nSO-1\n".encode())
        raise TimeoutError("the soft time limit")

    # The order list's cells are all made by PostgreSQL, so COPY writes its rows.
    monkeypatch.setattr("oms.services.copy_csv", cut_short)
    assert file_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == FileJobStatus.FAILED
    assert job.file_name == ""
    assert "TimeoutError" in job.error
    assert job.finished_at is not None
    assert list(export_dir.iterdir()) == []  # the partial file is gone
    assert client.get(reverse("file_job_download", args=[job.pk])).status_code == 404
    page = client.get(reverse("file_job", args=[job.pk])).content.decode()
    assert "did not finish" in page
    assert "file_job_download" not in page


def test_a_short_file_is_not_complete(orders, client_for, export_dir, no_worker, monkeypatch):
    job = start_export(client_for("sales"))
    monkeypatch.setattr("oms.services.copy_csv", lambda plan, data, out, progress=None: 2)
    assert file_job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert "2 of 5 rows" in job.error
    assert not job.file_name


def test_cells_made_in_python_are_written_by_the_csv_module(
    orders, client_for, export_dir, no_worker
):
    """The priority queue's reasons come from a value method: no COPY, the same file."""
    client = client_for("sales")
    Order.objects.update(
        status=OrderStatus.CONFIRMED, priority_reasons=[{"factor": "boost", "points": 5}]
    )
    job = start_export(client, "/orders/queue/?sort=total")
    assert file_job_run(job_id=job.pk) == "done"
    text = (export_dir / f"{job.pk}.csv").read_text(encoding="utf-8")
    header, *rows = csv_rows(text)
    assert len(rows) == 5
    assert rows[0][header.index("Why")] == "manual boost +5"
    settings_limit = 100
    from django.conf import settings

    settings.OMS_EXPORT_INLINE_MAX_ROWS = settings_limit
    inline = client.get("/orders/queue/?sort=total&export=csv")
    assert b"".join(inline.streaming_content).decode() == text


def test_the_worker_checks_the_rights_again(orders, client, export_dir, no_worker, user_with_role):
    user = user_with_role("sales")
    client.force_login(user)
    job = start_export(client)
    user.groups.clear()
    assert file_job_run(job_id=job.pk) == "failed"
    assert "PermissionDenied" in FileJob.objects.get().error


def test_progress_page_polls_until_the_end(orders, client_for, export_dir, no_worker):
    client = client_for("sales")
    job = start_export(client)
    url = reverse("file_job", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "Waiting for a worker" in page
    FileJob.objects.filter(pk=job.pk).update(
        status=FileJobStatus.RUNNING, items_total=5, items_done=2
    )
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="file-job-progress"')
    assert "<html" not in partial
    assert 'data-progress="40"' in partial
    assert "2 of 5 rows" in partial
    assert 'hx-trigger="every 1s"' in partial
    FileJob.objects.filter(pk=job.pk).update(status=FileJobStatus.QUEUED, items_total=None)
    file_job_run(job_id=job.pk)
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial  # polling stops
    assert reverse("file_job_download", args=[job.pk]) in partial
    assert "5 rows" in partial


def test_the_same_export_twice_is_one_job_and_there_is_a_cap(
    orders, client_for, export_dir, no_worker, settings
):
    client = client_for("sales")
    first = start_export(client)
    again = client.post("/orders/?status=draft&sort=-total&export=csv", {"export": "csv"})
    assert again["Location"].endswith(f"{first.pk}/")
    settings.OMS_FILE_JOB_MAX_ACTIVE = 1
    response = client.post("/orders/?sort=total&export=csv", {"export": "csv"}, follow=True)
    assert "already have 1 files in preparation" in response.content.decode()
    assert FileJob.objects.count() == 1


def test_the_daily_clean_up(orders, client_for, export_dir, no_worker, user_with_role):
    user = user_with_role("sales")
    job = export_job_start(
        user=user, path="/orders/", list_name="orders:list", query_string="", language="en"
    )
    file_job_run(job_id=job.pk)
    old_file = export_dir / f"{job.pk}.csv"
    assert old_file.is_file()
    stuck = FileJob.objects.create(
        user=user, path="/orders/", list_name="orders:list", language="en", status="running"
    )
    FileJob.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(hours=2))
    orphan = export_dir / "left-by-a-killed-worker.csv.part"
    orphan.write_text("x")
    week_ago = (timezone.now() - timedelta(days=7)).timestamp()
    os.utime(orphan, (week_ago, week_ago))

    assert file_jobs_clean_up() == 0  # today: the finished export stays
    assert old_file.is_file()
    assert not orphan.exists()
    stuck.refresh_from_db()
    assert stuck.status == FileJobStatus.FAILED  # its worker was killed by the time limit

    assert file_jobs_clean_up(now=timezone.now() + timedelta(days=3)) == 2
    assert not FileJob.objects.exists()
    assert not old_file.exists()


def test_the_clean_up_is_a_daily_beat_job():
    from oms.registry import beat_schedule

    job = beat_schedule()["file-jobs-clean-up"]
    assert job["task"] == "oms.tasks.file_jobs_clean_up"
    assert job["options"]["expires"]


def test_large_is_found_without_counting(orders, settings, django_assert_max_num_queries):
    settings.OMS_EXPORT_INLINE_MAX_ROWS = 4
    queryset = Order.objects.all()
    with CaptureQueriesContext(connection) as captured:
        assert exports.is_large(queryset)
        assert not exports.is_large(queryset.filter(status=OrderStatus.CANCELLED))
    assert all("COUNT" not in q["sql"] and "OFFSET 4" in q["sql"] for q in captured)


@pytest.mark.django_db(transaction=True)
def test_a_big_export_is_written_by_the_worker(
    celery_worker_process,  # noqa: F811
    client,
    settings,
    tmp_path,
):
    settings.OMS_FILE_JOB_DIR = tmp_path / "exports"  # where the worker writes (its env)
    settings.OMS_EXPORT_INLINE_MAX_ROWS = 10
    catalog = Catalog()
    product = catalog.product(price="10.00")
    customer = catalog.customer(name="宏达灯饰有限公司", code="C-777")
    orders = [catalog.order(customer, (product, n + 1)) for n in range(25)]
    Order.objects.filter(pk__in=[o.pk for o in orders[:3]]).update(status="cancelled")
    client.force_login(UserFactory(username="exporter", role="sales"))

    job = start_export(client, "/orders/?status=draft&sort=total")  # commits the job
    log = tmp_path / "worker.log"
    assert wait_for(lambda: FileJob.objects.get().status == FileJobStatus.DONE), log.read_text()[
        -3000:
    ]

    response = client.get(reverse("file_job_download", args=[job.pk]))
    header, *rows = csv_rows(b"".join(response.streaming_content).decode("utf-8"))
    assert len(rows) == 22  # the cancelled three are filtered out, as on the page
    assert rows[0][header.index("Customer")] == "宏达灯饰有限公司 (C-777)"
    assert [float(r[header.index("Total")]) for r in rows] == sorted(
        float(r[header.index("Total")]) for r in rows
    )
    assert not list(Path(settings.OMS_FILE_JOB_DIR).glob("*.part"))
