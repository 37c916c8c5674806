"""A complaint in the browser: customer service opens the queue, opens a case, adds a note,
resolves it; the pages fit a phone and read in Chinese, without a policy violation."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import Page, expect

from aftersales import case_services
from oms.roles import sync_role_groups
from tests.aftersales.conftest import Cases
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory


def demo_cases():
    sync_role_groups(Group, Permission)
    agent = UserFactory(username="zheng", first_name="郑客服", role="customer_service")
    cases = Cases()
    customer = cases.customer(name="星光灯饰有限公司")
    shipment = cases.dispatched(customer, lot="L2611-CL042-A")
    cases.dispatched(cases.customer(name="远方商行"), lot="L2611-CL042-A")
    late = cases.case(
        customer=customer,
        actor=agent,
        priority="urgent",
        category="defective",
        subject="同批次灯具频闪",
        description="客户反映三盏灯通电后频闪。",
        order=shipment.order,
        shipment=shipment,
        lot="L2611-CL042-A",
        assignee=agent,
        opened_at=timezone.now() - timedelta(days=4),
    )
    cases.case(actor=agent, priority="low", subject="发票抬头有误", category="billing")
    waiting = cases.case(actor=agent, subject="快递三天没有更新", category="delivery_delay")
    case_services.case_set_status(actor=agent, case=waiting, status="waiting")
    return late


@pytest.mark.django_db(transaction=True)
def test_open_a_case_add_a_note_and_resolve_it(page: Page, live_server):
    late = demo_cases()
    violations: list[str] = []
    watch_policy(page, violations)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "zheng")
    page.goto(f"{live_server.url}/cases/")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tbody tr").first).to_have_attribute("data-due", "overdue")
    shot(page, "cases-queue-1280")
    page.click(f"text={late.number}")
    expect(page.locator("h1")).to_contain_text(late.number)
    expect(page.locator("#case-sla")).to_contain_text("Past SLA")
    shot(page, "case-detail-1280")

    page.fill("#case-note-form textarea", "已致电客户，安排上门更换驱动电源。")
    page.click("#case-note-form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Note added")
    expect(page.locator("#case-timeline")).to_contain_text("已致电客户")

    page.select_option("#case-status", "resolved")
    page.fill("#case-status-form input[name=note]", "已更换")
    page.click("#case-status-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Resolved")
    expect(page.locator("#case-timeline")).to_contain_text("Status: Open → Resolved")
    expect(page.locator("#case-sla")).to_contain_text("SLA missed")
    shot(page, "case-resolved-1280")

    page.click("#case-lot-link")
    expect(page.locator("#table-block tbody tr")).to_have_count(2)
    shot(page, "lot-trace-1280")
    page.goto(f"{live_server.url}/cases/new/?order={late.order.number}")
    shot(page, "case-new-1280")
    assert violations == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_case_pages_on_a_phone(page: Page, live_server, language):
    late = demo_cases()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "zheng")
    for name, path in (
        ("cases-queue", "/cases/"),
        ("case-detail", late.get_absolute_url()),
        ("lot-trace", "/trace/?lot=L2611-CL042-A"),
    ):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, (path, width)
        shot(page, f"{name}-390-{language}")
    page.set_viewport_size({"width": 1280, "height": 900})
    for name, path in (("cases-queue", "/cases/"), ("case-detail", late.get_absolute_url())):
        page.goto(live_server.url + path)
        shot(page, f"{name}-1280-{language}")
    if language == "zh-hans":
        expect(page.locator("body")).to_contain_text("客诉工单")
