"""Customer service resolves an inspected return in the browser: the resolution card on the
return page, the confirm dialog, the refund's card afterwards; in English and Chinese, wide
and phone-sized, without a policy violation."""

import pytest
from playwright.sync_api import Page, expect

from tests.aftersales.resolutions.conftest import Resolutions
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory


class _Eager:
    def __call__(self):
        from contextlib import nullcontext

        return nullcontext()


@pytest.fixture
def eager_billing():
    from oms.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        yield _Eager()
    finally:
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_eager_propagates = False


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_customer_service_refunds_an_inspected_return(
    page: Page, live_server, eager_billing, language
):
    world = Resolutions()
    lamp = world.product("268.00", name="北欧落地灯 Nordic floor lamp")
    order = world.paid_order(eager_billing, (lamp, 2))
    request = world.inspected(order, 1, reason="damaged")
    UserFactory(username="zheng", role="customer_service")
    violations: list[str] = []
    watch_policy(page, violations)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "zheng")
    page.goto(f"{live_server.url}/returns/{request.number}/")
    form = page.locator("form[data-form=resolve]")
    expect(form).to_be_visible()
    shot(page, f"return-resolve-form-{language}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"return-resolve-form-{language}-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.once("dialog", lambda dialog: dialog.accept())
    form.locator("button[data-action=resolve]").click()
    expect(page.locator("[data-resolution=refund]")).to_be_visible()
    expect(page.locator("[data-refunded]")).to_contain_text("268")
    shot(page, f"return-resolved-{language}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"return-resolved-{language}-390")
    assert violations == []
