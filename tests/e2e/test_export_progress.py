"""A big export's page: the bar moves and the download link appears without a reload."""

import os

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from oms.choices import FileJobStatus
from oms.models import FileJob
from tests.factories import UserFactory

SCREENSHOTS = os.environ.get("OMS_SCREENSHOT_DIR", "")


@pytest.mark.django_db(transaction=True)
def test_the_progress_bar_updates_in_place_and_ends_with_a_link(
    page: Page, live_server, tmp_path, monkeypatch
):
    monkeypatch.setattr(settings, "OMS_FILE_JOB_DIR", tmp_path)
    user = UserFactory(username="exporter", role="sales")
    job = FileJob.objects.create(
        user=user,
        path="/orders/",
        list_name="orders:list",
        query_string="status=confirmed",
        language="zh-hans",
        status=FileJobStatus.RUNNING,
        items_total=1_000_000,
        items_done=420_000,
    )
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "exporter")
    page.fill("#id_password", "pw-for-tests")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/files/{job.pk}/")
    bar = page.locator("#file-job-progress .progress-bar")
    expect(bar).to_have_attribute("style", "width: 42%;")
    expect(page.locator("#file-job-progress")).to_contain_text("420,000 of 1,000,000 rows")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/export-running.png", full_page=True)

    page.evaluate("window.notReloaded = true")
    FileJob.objects.filter(pk=job.pk).update(items_done=870_000)
    expect(bar).to_have_attribute("style", "width: 87%;", timeout=5000)
    (tmp_path / f"{job.pk}.csv").write_text("\ufeffNumber\nSO-1\n", encoding="utf-8")
    FileJob.objects.filter(pk=job.pk).update(
        status=FileJobStatus.DONE, items_done=1_000_000, file_name=f"{job.pk}.csv"
    )
    link = page.locator("#file-job-progress a[href$='/download/']")
    expect(link).to_be_visible(timeout=5000)
    expect(link).to_contain_text("1,000,000")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped it in place
    expect(page.locator("#file-job-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/export-done.png", full_page=True)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("orders-")
    assert violations == []
