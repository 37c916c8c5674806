"""The Content-Security-Policy is strict (own files only) and no page of ours breaks it."""

import pytest
from playwright.sync_api import Page

from oms.models import MessageTemplate
from tests.factories import UserFactory
from tests.orders.conftest import Catalog


@pytest.mark.django_db
def test_every_response_carries_a_strict_policy(admin_client):
    policy = admin_client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db(transaction=True)
def test_main_pages_run_without_a_policy_violation(page: Page, live_server):
    UserFactory(username="csp", role="admin")
    catalog = Catalog()
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 20)
    order = catalog.order(catalog.customer(notes="line one\nline two"), (product, 2))
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text[:90]}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "csp")
    page.fill("#id_password", "pw-for-tests")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")
    for path in (
        "/",
        "/orders/",
        order.get_absolute_url(),
        "/orders/new/",
        f"/orders/{order.number}/edit/",
        "/orders/approval-rules/new/",
        "/price-lists/",
        "/promotions/new/",
        "/shipping-fees/",
        f"/customers/{order.customer_id}/",
        "/stock/",
        f"/warehouses/{catalog.shanghai.pk}/count-sheet/",
        "/password/",
        "/calendar/",
        "/message-templates/",
        f"/message-templates/{MessageTemplate.objects.first().pk}/edit/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    assert violations == []
