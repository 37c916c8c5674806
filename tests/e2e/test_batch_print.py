"""Batch printing in the browser: tick shipments on the list and get the PDF at once; choose
every shipment matching the filters and follow the worker's progress to the download link,
without a reload and without a policy violation; the pages fit a phone in both languages."""

import subprocess

import pytest
from playwright.sync_api import Page, expect

from oms.models import FileJob
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory
from tests.oms.test_outbox_worker import celery_worker_process  # noqa: F401
from tests.shipping.conftest import Shipping
from tests.shipping.test_batch_print import make_shipments


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_tick_print_then_print_all_through_the_worker(
    page: Page,
    live_server,
    celery_worker_process,  # noqa: F811
    settings,
    tmp_path,
):
    settings.OMS_FILE_JOB_DIR = tmp_path / "exports"  # where the worker writes (its env)
    shipments = sorted(make_shipments(Shipping(), 24), key=lambda s: s.number)
    UserFactory(username="sun", role="warehouse")
    violations: list[str] = []
    watch_policy(page, violations)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "sun")
    page.goto(f"{live_server.url}/shipments/?sort=number")

    boxes = page.locator("input[name=shipment][form=batch-print]")
    expect(boxes).to_have_count(24)
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.select_option("#batch-document", "delivery-note")
    shot(page, "batch-print-list-1280")
    with page.expect_download() as download:
        page.click("[data-action=print-chosen]")
    small = tmp_path / "small.pdf"
    download.value.save_as(small)
    text = pdf_text(small)
    assert shipments[0].number in text
    assert shipments[1].number in text
    assert shipments[2].number not in text
    assert not FileJob.objects.exists()  # two print in the request

    page.check("[data-check-all=shipment]")  # the header box ticks the page
    expect(page.locator("input[name=shipment]:checked")).to_have_count(24)
    page.uncheck("[data-check-all=shipment]")
    expect(page.locator("input[name=shipment]:checked")).to_have_count(0)

    page.select_option("#batch-document", "packing-list")
    page.click("[data-action=print-all]")
    page.wait_for_url("**/files/*/")
    progress = page.locator("#file-job-progress")
    expect(progress).to_be_visible()
    page.evaluate("window.notReloaded = true")
    shot(page, "batch-print-progress-1280")
    link = progress.locator("a[href$='/download/']")
    expect(link).to_be_visible(timeout=120_000)
    expect(link).to_contain_text("24")
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the progress in place
    shot(page, "batch-print-done-1280")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("packing-list-")
    big = tmp_path / "big.pdf"
    download.value.save_as(big)
    text = pdf_text(big)
    for shipment in shipments:
        assert shipment.number in text

    job_url = page.url
    for language in ("en", "zh-hans"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 844})
            for name, url in (("list", "/shipments/"), ("progress", job_url)):
                page.goto(url if url.startswith("http") else live_server.url + url)
                if width == 390:
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    assert scroll <= 390, f"{name} is {scroll}px wide in {language}"
                shot(page, f"batch-print-{name}-{language}-{width}")
    assert violations == []
