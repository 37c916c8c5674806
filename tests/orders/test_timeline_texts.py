"""The timeline words events from their codes and numbers in the reader's language."""

import re

import pytest
from django.conf import settings

from orders import services
from orders.choices import ApprovalCondition
from orders.models import ApprovalRule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def page(client, order, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(f"/orders/{order.number}/").content.decode()


def test_missing_units_amendments_and_levels_in_both_languages(catalog, client):
    ApprovalRule.objects.create(
        name="By hand", condition=ApprovalCondition.MANUAL_FLAG, required_role="reviewer", level=1
    )
    product = catalog.product("2927.38")
    catalog.stock(product, catalog.shanghai, 1)
    order = catalog.order(catalog.customer(), (product, 2), needs_review=True)
    services.order_submit(actor=None, order=order)
    order.refresh_from_db()
    reviewer = UserFactory(username="rev-t", role="reviewer")
    services.order_approve(actor=reviewer, order=order, note="ok")  # back-ordered: 1 missing
    catalog.stock(product, catalog.shanghai, 10)
    order.refresh_from_db()
    services.order_amend(actor=None, order=order, changes={1: 3})
    client.force_login(reviewer)

    english = page(client, order, "en")
    assert f"Missing units: {product.sku} × 1" in english
    assert "¥5,854.76 → ¥8,782.14" in english
    assert "Level 1 · Reviewer" in english
    assert "L1 " not in english

    chinese = page(client, order, "zh-hans")
    assert f"缺少数量：{product.sku} × 1" in chinese
    assert "¥5,854.76 → ¥8,782.14" in chinese
    assert "第 1 级 · 审核员" in chinese
    # "Created" is not followed by the draft status, which has the same word in Chinese.
    assert not re.search(r"<strong[^>]*>已创建</strong>\s*<span class=\"me-2\">", chinese)
