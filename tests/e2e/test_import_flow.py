"""An import in the browser with a real worker: upload, the check's report (nothing written),
import the rows without errors, the progress bar, the report and its error CSV; screenshots
of the new pages (1280 px)."""

import pytest
from playwright.sync_api import Page, expect

from customers.models import Customer
from oms.models import ImportJob
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory
from tests.intake.helpers import worker

FILE = (
    "客户编码,客户名称,电话,邮箱,省份,城市,详细地址\n"
    "B-1,杭州明辉照明,13857100001,,浙江省,杭州,江南大道 300 号\n"
    "B-2,苏州晶彩灯饰,13962100002,,江苏,苏州,星湖街 88 号\n"
    "B-3,青岛海岸灯具,1532,,山东,青岛,香港中路 6 号\n"
    "B-4,大连北方照明,13904100006,,Dongbei,大连,人民路 15 号\n"
)


@pytest.mark.django_db(transaction=True)
def test_upload_check_import_progress_report(page: Page, live_server, tmp_path):
    UserFactory(username="li", role="sales")
    path = tmp_path / "leads.csv"
    path.write_bytes(FILE.encode("gbk"))  # as Excel saves CSV in China
    violations: list[str] = []
    watch_policy(page, violations)
    page.set_viewport_size({"width": 1280, "height": 900})
    with worker(tmp_path):
        sign_in(page, live_server.url, "li")
        page.goto(f"{live_server.url}/imports/new/")
        expect(page.locator("h1")).to_have_text("New import")
        expect(page.locator("#import-kind-customers")).to_contain_text("客户编码")
        shot(page, "import-new")
        page.set_input_files("#id_file", str(path))
        page.click("button[data-action=check]")

        # The check: its report comes in place, nothing is written.
        expect(page.locator("#import-counts")).to_contain_text("Create: 2", timeout=30_000)
        expect(page.locator("#import-counts")).to_contain_text("Error: 2")
        report = page.locator("#import-report")
        expect(report).to_contain_text("phone")
        expect(report).to_contain_text("“Dongbei” is not a province")
        expect(page.locator("#import-progress")).to_contain_text("GBK")
        assert Customer.objects.count() == 0
        shot(page, "import-check-report")

        page.click("button[data-action=commit]")
        expect(page.locator("h1")).to_contain_text("Customers: leads.csv")
        expect(page.locator("#import-progress")).to_contain_text(
            "The import is done.", timeout=30_000
        )
        expect(page.locator("#import-progress .progress-bar")).to_have_attribute(
            "style", "width: 100%;"
        )
        shot(page, "import-done")
    assert sorted(Customer.objects.values_list("code", flat=True)) == ["B-1", "B-2"]
    with page.expect_download() as download:
        page.click("text=Rows with errors (CSV)")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "B-3" in text
    assert "B-4" in text
    assert "B-1" not in text

    page.goto(f"{live_server.url}/imports/")
    expect(page.locator("table")).to_contain_text("leads.csv")
    shot(page, "import-list")
    assert ImportJob.objects.count() == 2
    assert violations == []
