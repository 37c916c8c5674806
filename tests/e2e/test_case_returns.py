"""From a complaint to its return in the browser: customer service opens "Create return" on
the case's page, sends the prefilled form, and the return's page names the case; back on the
case, its Returns card and timeline show the return. No policy violation."""

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Page, expect

from aftersales import case_services
from aftersales.models import ReturnRequest
from oms.roles import sync_role_groups
from tests.aftersales.conftest import Returns
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_create_a_return_from_a_case(page: Page, live_server):
    sync_role_groups(Group, Permission)
    agent = UserFactory(username="zheng", first_name="郑客服", role="customer_service")
    returns = Returns()
    customer = returns.customer(name="星光灯饰有限公司")
    order = returns.delivered_order(
        (returns.product(sku="CL-4201", name="星空吸顶灯 48W"), 3), customer=customer
    )
    case = case_services.case_open(
        actor=agent,
        request=case_services.CaseRequest(
            customer=customer,
            category="defective",
            priority="high",
            subject="吸顶灯通电后频闪 / ceiling lamp flickers",
            description="客户反映两盏灯通电后频闪，要求退回检修。",
            order=order,
            assignee=agent,
        ),
    )
    violations: list[str] = []
    watch_policy(page, violations)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "zheng")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    expect(page.locator("#case-returns")).to_contain_text("No return came from this case.")
    page.click("#case-new-return")
    expect(page.locator("#return-case")).to_have_text(case.number)
    page.fill(f"#id_line_{order.lines.get().pk}", "2")
    page.select_option("#id_reason", "defective")
    page.check("input[name=resolution][value=repair]")
    page.fill("#id_reason_text", "通电后频闪。")
    page.click("main button[type=submit]")
    rma = ReturnRequest.objects.get()
    expect(page.locator("h1")).to_contain_text(str(rma))
    expect(page.locator("#return-case")).to_contain_text(case.number)
    shot(page, "return-detail-with-case-1280")

    page.click(f"#return-case >> text={case.number}")
    expect(page.locator("#case-returns")).to_contain_text(str(rma))
    expect(page.locator("#case-timeline")).to_contain_text(f"Return {rma} created")
    shot(page, "case-detail-with-returns-1280")

    page.click("button[data-lang=zh-hans]")
    expect(page.locator("#case-timeline")).to_contain_text(f"已创建退货 {rma}")
    shot(page, "case-detail-with-returns-zh")
    assert violations == []
