"""Approval reasons are stored as codes with parameters and worded in the reader's language."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import translation

from orders import services
from orders.choices import ApprovalCondition
from orders.models import Approval, ApprovalRule, OrderEvent
from orders.reasons import reason, reason_text, reasons_text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module("orders.migrations.0004_approval_reason_codes")


def rule(condition, **kwargs):
    return ApprovalRule.objects.create(
        name=condition, condition=condition, required_role="manager", **kwargs
    )


def test_order_submitted_in_english_reads_in_chinese(catalog, client):
    rule(ApprovalCondition.AMOUNT_AT_LEAST, threshold=Decimal("1000"))
    rule(ApprovalCondition.MADE_TO_ORDER)
    sales = UserFactory(username="sales-en", role="sales")
    product = catalog.product("800.00", made_to_order=True, sku="MTO-7")
    order = catalog.order(catalog.customer(), (product, 2), actor=sales)
    with translation.override("en"):
        services.order_submit(actor=sales, order=order)
    approval = Approval.objects.get(order=order)
    assert approval.reason == ""  # no words stored: only codes and figures
    assert approval.reasons == [
        {"code": "amount_over", "params": {"amount": "1600.00", "limit": "1000.00"}},
        {"code": "made_to_order", "params": {"skus": ["MTO-7"]}},
    ]

    client.force_login(UserFactory(username="mgr-zh", role="manager"))
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get(f"/orders/{order.number}/").content.decode()
    expected = "金额 ¥1,600.00 不低于 ¥1,000.00；含按单生产商品：MTO-7"
    assert expected in page  # the approval card and the timeline
    assert page.count(expected) == 2
    assert "Amount" not in page
    queue = client.get("/approvals/").content.decode()
    assert expected in queue
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "Amount ¥1,600.00 is at least ¥1,000.00; Contains made-to-order goods: MTO-7" in page


def test_credit_reason_names_the_figures(catalog):
    rule(ApprovalCondition.CREDIT_EXCEEDED)
    customer = catalog.customer(payment_terms="net_30", credit_limit=Decimal("500.00"))
    order = catalog.order(customer, (catalog.product("400.00"), 2))
    services.order_submit(actor=None, order=order)
    approval = Approval.objects.get()
    with translation.override("zh-hans"):
        assert approval.reason_text() == "超出信用额度 ¥500.00：含本单未结金额 ¥800.00"
    with translation.override("en"):
        assert approval.reason_text() == (
            "Credit limit ¥500.00 exceeded: ¥800.00 open with this order"
        )


@pytest.mark.parametrize(
    ("entry", "english", "chinese"),
    [
        (reason("new_customer"), "First order of this customer", "该客户首次下单"),
        (reason("manual_flag"), "Flagged for review", "已标记需审核"),
        (reason("made_to_order"), "Contains made-to-order goods", "含按单生产商品"),
        (reason("credit_exceeded"), "Customer credit limit exceeded", "超出客户信用额度"),
        ({"code": "from_the_future", "params": {}}, "from_the_future", "from_the_future"),
    ],
)
def test_each_code_in_both_languages(entry, english, chinese):
    with translation.override("en"):
        assert reason_text(entry) == english
    with translation.override("zh-hans"):
        assert reason_text(entry) == chinese


def test_rows_stored_as_text_show_their_text():
    assert reasons_text([], fallback="旧的理由") == "旧的理由"


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        (
            "Amount ¥12,000.00 is at least ¥10,000.00",
            [{"code": "amount_over", "params": {"amount": "12000.00", "limit": "10000.00"}}],
        ),
        (
            "金额 ¥12,000.00 不低于 ¥10,000.00; 含定制商品",
            [
                {"code": "amount_over", "params": {"amount": "12000.00", "limit": "10000.00"}},
                {"code": "made_to_order", "params": {}},
            ],
        ),
        (
            "Customer credit limit exceeded; First order of this customer; 已标记需审核",
            [
                {"code": "credit_exceeded", "params": {}},
                {"code": "new_customer", "params": {}},
                {"code": "manual_flag", "params": {}},
            ],
        ),
        ("Flagged for review; the boss said so", None),
        ("", None),
    ],
)
def test_migration_parses_stored_texts(text, entries):
    assert migration.parse(text) == entries


def test_migration_converts_rows_and_keeps_what_it_cannot_read(catalog):
    order = catalog.order(catalog.customer(), (catalog.product(), 1))
    readable = Approval.objects.create(
        order=order, reason="含按单生产商品", round=1, level=1, required_role="manager"
    )
    unreadable = Approval.objects.create(
        order=order, reason="Boss wants to see it", round=1, level=2, required_role="finance"
    )
    event = OrderEvent.objects.create(
        order=order,
        kind="status",
        data={
            "approvals": [
                {"role": "manager", "level": 1, "reason": "First order of this customer"},
                {"role": "finance", "level": 2, "reason": "Boss wants to see it"},
            ]
        },
    )
    migration.forwards(apps, None)
    readable.refresh_from_db(), unreadable.refresh_from_db(), event.refresh_from_db()
    assert (readable.reasons, readable.reason) == ([{"code": "made_to_order", "params": {}}], "")
    assert (unreadable.reasons, unreadable.reason) == ([], "Boss wants to see it")
    assert event.data["approvals"] == [
        {"role": "manager", "level": 1, "reasons": [{"code": "new_customer", "params": {}}]},
        {"role": "finance", "level": 2, "reason": "Boss wants to see it"},
    ]
    with translation.override("en"):
        assert readable.reason_text() == "Contains made-to-order goods"
        assert unreadable.reason_text() == "Boss wants to see it"
    migration.backwards(apps, None)
    readable.refresh_from_db()
    assert readable.reason == "Contains made-to-order goods"
