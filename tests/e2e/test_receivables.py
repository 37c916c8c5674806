"""Finance's receivables page in the browser: the aging table with its totals row, filtered
to one bucket, the drill-down and the customer's statement, without a policy violation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.billing.test_receivables import Ledger
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping


class _Billing(Shipping):
    pass


@pytest.mark.django_db(transaction=True)
def test_aging_page_drill_down_and_statement(page: Page, live_server):
    ledger = Ledger(_Billing())
    names = ["华东照明批发", "广州明辉灯饰", "北京光源工程", "成都星空灯具", "杭州晨光家居"]
    dues = [(-20, "1200.00"), (12, "860.50"), (45, "2300.00"), (75, "540.00"), (130, "3150.00")]
    for index, name in enumerate(names):
        customer = ledger.customer(name=name, credit_limit=Decimal("5000.00"))
        invoice = ledger.invoice(customer, *dues[index:], dues[0])
        if index == 1:
            ledger.pay(invoice, "300.00", on=timezone.localdate() - timedelta(days=3))
    UserFactory(username="qian", role="finance")
    violations: list[str] = []
    watch_policy(page, violations)
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server.url, "qian")
    page.goto(f"{live_server.url}/receivables/")
    expect(page.locator("tfoot")).to_contain_text("5")
    shot(page, "receivables-list-1440")
    page.goto(f"{live_server.url}/receivables/?bucket=days_over_90")
    expect(page.locator("tbody tr")).to_have_count(5)
    page.click("tbody tr >> nth=0 >> a")
    expect(page.locator("h1")).to_contain_text("Receivables:")
    shot(page, "receivables-customer-1440")
    page.click("main a[href$='/statement/']")
    expect(page.locator("body")).to_contain_text("期初余额")
    shot(page, "receivables-statement")
    assert violations == []
