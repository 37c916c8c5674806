"""The logistics desk sees the carrier choice on a shipment, overrides it with a reason in the
browser, then goes back to the rules' choice; the dispatch form takes the chosen carrier and
its expected date. Both languages, without a policy violation."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from shipping.models import Shipment
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping
from tests.shipping.test_carriers import lane, make_carrier


@pytest.mark.django_db(transaction=True)
def test_choose_override_and_dispatch_with_the_chosen_carrier(page: Page, live_server):
    UserFactory(username="zhou", role="logistics")
    shipping = Shipping()
    lamp = shipping.product("600.00", sku="CL-6001", name="水晶吊灯", weight_kg=Decimal("2"))
    order = shipping.allocated_order((lamp, 1), stock=[(lamp, shipping.shanghai, 1)])
    [shipment] = shipping.packed(order)
    make_carrier("ZTO", lanes=[lane("standard", "SH", "zone:east", 3, 6)])
    make_carrier("SF", level="express", lanes=[lane("express", "SH", "ZJ", 1, 15)])

    violations: list[str] = []
    watch_policy(page, violations)
    sign_in(page, live_server.url, "zhou")
    page.goto(f"{live_server.url}/shipments/{shipment.number}/")
    card = page.locator("#carrier-choice")
    expect(card).to_contain_text("Cheapest of 2 services")
    expect(card.locator("tr.table-success")).to_contain_text("ZTO carrier")

    card.locator("label", has_text="SF carrier").click()
    page.click("[data-action=override-carrier]")
    # The reason is required: the browser keeps the form until it is given.
    page.fill("#override-reason", "客户要求顺丰 customer asked for SF")
    page.click("[data-action=override-carrier]")
    expect(page.locator(".alert")).to_contain_text("SF carrier")
    expect(page.locator("#shipment-timeline")).to_contain_text("customer asked for SF")
    sf = Shipment.objects.get(pk=shipment.pk)
    assert sf.carrier_service.carrier.code == "SF"
    assert sf.expected_delivery_date is not None
    shot(page, "shipment-carrier-override")

    page.click("button[data-lang=zh-hans]")
    expect(card).to_contain_text("承运商选择")
    page.click("[data-action=choose-carrier]")
    expect(page.locator("#shipment-timeline")).to_contain_text("ZTO carrier")
    page.click("button[data-lang=en]")

    page.click("[data-action=dispatch]")
    expect(page.locator("#id_carrier")).to_have_value("ZTO carrier")
    expect(page.locator("#id_service")).to_have_value("standard")
    chosen = Shipment.objects.get(pk=shipment.pk)
    expect(page.locator("#id_expected_delivery_date")).to_have_value(
        chosen.expected_delivery_date.isoformat()
    )
    assert violations == []
