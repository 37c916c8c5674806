"""The timeline words events from their codes and numbers in the reader's language."""

import importlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from orders import services
from orders.choices import ApprovalCondition
from orders.models import ApprovalRule, OrderEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
note_migration = importlib.import_module("orders.migrations.0008_event_note_codes")


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


def timeline(html: str) -> str:
    """The timeline card's text, tags and blank runs removed."""
    card = html.split('class="list-group list-group-flush oms-timeline"', 1)[1].split("</ol>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card))


def test_system_notes_are_codes_worded_for_each_reader(catalog, client):
    """Notes the system writes keep no words: a Chinese user's actions read in English for an
    English reader, and the other way round; what a person typed stays as typed."""
    product = catalog.product("5854.76")
    catalog.stock(product, catalog.shanghai, 1)
    sales = UserFactory(username="sales-zh", role="sales")
    order = catalog.order(catalog.customer(), (product, 2), actor=sales)
    with translation.override("zh-hans"):
        services.order_submit(actor=sales, order=order)  # confirmed, 1 unit short
        catalog.stock(product, catalog.shanghai, 5)
        assert services.order_allocate_more(order_id=order.pk)  # the back-order is filled
        services.order_hold(actor=sales, order=order, reason="客户要求暂停")

    system = OrderEvent.objects.filter(order=order).exclude(message={})
    assert {e.message["code"] for e in system} == {"submitted_no_review", "stock_arrived"}
    assert all(e.note == "" for e in system)  # no words stored for what the system says
    assert OrderEvent.objects.get(order=order, kind="held").note == "客户要求暂停"

    client.force_login(sales)
    expected = {
        "en": (
            [
                "Submitted; no approval needed.",
                "Stock arrived.",
                f"Missing units: {product.sku} × 1",
            ],
            ["已提交", "库存"],
        ),
        "zh-hans": (
            ["已提交，无需审批。", "库存已到货。", f"缺少数量：{product.sku} × 1"],
            ["Submitted", "Stock arrived"],
        ),
    }
    for language, (shown, hidden) in expected.items():
        text = timeline(page(client, order, language))
        assert [s for s in [*shown, "客户要求暂停"] if s not in text] == [], language
        assert [s for s in hidden if s in text] == [], language
    translation.activate("en")  # the client's requests leave the last language active


def test_amendment_needing_approval_reads_as_money_and_labels(catalog, client):
    ApprovalRule.objects.create(
        name="Big",
        condition=ApprovalCondition.AMOUNT_AT_LEAST,
        threshold=Decimal("10000"),
        required_role="manager",
        level=2,
    )
    product = catalog.product("5854.76")
    catalog.stock(product, catalog.shanghai, 10)
    order = catalog.order(catalog.customer(), (product, 1))
    services.order_submit(actor=None, order=order)
    with translation.override("zh-hans"):
        services.order_amend(actor=None, order=order, changes={1: 2}, note="客户加单")
    event = OrderEvent.objects.filter(order=order, kind="status").last()
    assert event.message == {"code": "amendment_needs_approval", "params": {}}
    client.force_login(UserFactory(username="mgr-t", role="manager"))

    english = timeline(page(client, order, "en"))
    assert "Amendment needs approval." in english
    assert "¥5,854.76 → ¥11,709.52" in english
    assert f"{product.sku}: 1 → 2" in english
    assert "Level 2 · Manager: Amount ¥11,709.52 is at least ¥10,000.00" in english
    assert "客户加单" in english  # typed by a person: as typed
    assert "manager:" not in english
    assert "L2" not in english

    chinese = timeline(page(client, order, "zh-hans"))
    assert "变更需要审批。" in chinese
    assert "¥5,854.76 → ¥11,709.52" in chinese
    assert "第 2 级 · 经理：金额 ¥11,709.52 不低于 ¥10,000.00" in chinese
    assert f"{product.sku}：1 → 2" in chinese
    assert "Manager" not in chinese
    assert "Amendment" not in chinese
    translation.activate("en")


def test_migration_gives_old_system_notes_codes_and_keeps_typed_notes(catalog, client):
    order = catalog.order(catalog.customer(), (catalog.product(), 1))
    old = {
        "库存已到货。": ("status", {"code": "stock_arrived", "params": {}}),
        "Work order WO-2026-000004 done.": (
            "work_order",
            {"code": "work_order_done", "params": {"number": "WO-2026-000004"}},
        ),
        "生产工单 WO-2026-000005 已完成。": (
            "work_order",
            {"code": "work_order_done", "params": {"number": "WO-2026-000005"}},
        ),
        "交货日期临近时再分配库存。": (
            "allocated",
            {"code": "allocation_waits", "params": {}},
        ),
        "客户要求暂停": ("status", {}),  # typed by a person (a rejection's reason)
        "Amended.": ("held", {}),  # a hold reason someone typed: people's notes stay text
    }
    events = {
        text: OrderEvent.objects.create(order=order, kind=kind, note=text)
        for text, (kind, _message) in old.items()
    }
    note_migration.forwards(apps, None)
    for text, (_kind, message) in old.items():
        event = events[text]
        event.refresh_from_db()
        assert event.message == message
        assert event.note == ("" if message else text)
    # Nothing was allocated: the event was never "Stock allocated".
    assert events["交货日期临近时再分配库存。"].kind == "deferred"

    client.force_login(UserFactory(username="rev-m", role="reviewer"))
    english = timeline(page(client, order, "en"))
    assert "Stock arrived." in english
    assert "Work order WO-2026-000005 done." in english
    assert "Allocation deferred" in english
    assert "Stock allocated" not in english
    assert "客户要求暂停" in english
    chinese = timeline(page(client, order, "zh-hans"))
    assert "生产工单 WO-2026-000004 已完成。" in chinese
    translation.activate("en")

    note_migration.backwards(apps, None)
    events["库存已到货。"].refresh_from_db()
    assert events["库存已到货。"].note == "Stock arrived."


def test_an_edited_draft_names_its_fields_and_values(catalog, client, today):
    customer = catalog.customer()
    order = catalog.order(customer, (catalog.product(), 1))
    day = today + timedelta(days=30)
    services.order_update_draft(
        actor=None,
        order=order,
        data={
            "shipping_address": customer.addresses.get(),
            "requested_delivery_date": day,
            "needs_review": True,
        },
    )
    client.force_login(UserFactory(username="sales-e", role="sales"))
    english = timeline(page(client, order, "en"))
    assert f"Requested delivery: {day:%Y-%m-%d}" in english
    assert "Flag for review: Yes" in english
    assert "Ship to: " in english
    assert "shipping_address" not in english
    chinese = timeline(page(client, order, "zh-hans"))
    assert f"要求交货日期：{day.year}年{day.month}月{day.day}日" in chinese
    assert "标记需审核：是" in chinese
    assert "收货地址：" in chinese
    translation.activate("en")


def test_a_priority_boost_shows_the_score_it_moved(catalog, client):
    order = catalog.order(catalog.customer(), (catalog.product(), 1))
    manager = UserFactory(username="mgr-p", role="manager")
    before = order.priority_score
    services.order_boost(actor=manager, order=order, boost=10, note="VIP")
    order.refresh_from_db()
    client.force_login(manager)
    english = timeline(page(client, order, "en"))
    assert f"Priority score {before} → {order.priority_score}" in english
    assert "VIP" in english
    chinese = timeline(page(client, order, "zh-hans"))
    assert f"优先级分数 {before} → {order.priority_score}" in chinese
    translation.activate("en")
