"""The audit log reads in the reader's language: action labels, field names, values."""

import ast
import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from customers.services import customer_update
from inventory.services import product_save
from oms.registry import AUDIT_ACTIONS
from oms.texts import registered_codes
from tests.factories import CustomerFactory, ProductFactory, UserFactory

ROOT = Path(settings.BASE_DIR)
ACTION_CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


@pytest.fixture
def changes(db):
    manager = UserFactory(username="mgr-audit", role="manager")
    customer = CustomerFactory(
        name="审计客户", credit_limit=Decimal("5000.00"), payment_terms="prepaid"
    )
    customer_update(
        actor=manager,
        customer=customer,
        data={"credit_limit": Decimal("12500.50"), "payment_terms": "net_30", "credit_hold": True},
    )
    product = ProductFactory(standard_cost=Decimal("10.00"), weight_kg=Decimal("1.000"))
    product_save(
        actor=manager,
        product=product,
        data={"standard_cost": Decimal("1234.50"), "weight_kg": Decimal("1500.250")},
    )
    return manager


def get(client, user, language: str, query: str = "") -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/audit/" + query)
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return re.sub(r"\s+", " ", response.content.decode())


def table(page: str) -> str:
    return page.split("<tbody", 1)[1].split("</tbody>", 1)[0]


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        (
            "en",
            [
                "Customer changed",
                "Credit limit: ¥5,000.00 → ¥12,500.50",
                "Payment terms: Prepaid → Net 30 days",
                "Credit hold: No → Yes",
                "Product changed",
                "Standard cost: ¥10.00 → ¥1,234.50",
                "Weight (kg): 1.000 → 1,500.250",
            ],
            ["customer.update", "credit_limit", "net_30", "<code>", "12500.50"],
        ),
        (
            "zh-hans",
            [
                "客户已修改",
                "信用额度：¥5,000.00 → ¥12,500.50",
                "付款条件：预付款 → 月结 30 天",
                "信用冻结：否 → 是",
                "商品已修改",
                "标准成本：¥10.00 → ¥1,234.50",
            ],
            ["customer.update", "credit_limit", "Customer changed", "Prepaid"],
        ),
    ],
)
def test_audit_page_words_actions_fields_and_values(changes, client, language, shown, hidden):
    page = table(get(client, changes, language))
    for text in shown:
        assert text in page
    for raw in hidden:
        assert raw not in page
    translation.activate("en")


def test_audit_export_is_plain_text_in_the_readers_language(changes, client):
    rows = list(csv.reader(io.StringIO(get(client, changes, "zh-hans", "?export=csv"))))
    _header, *body = rows
    assert len(body) == 2
    by_action = {row[2]: row for row in body}
    assert set(by_action) == {"客户已修改", "商品已修改"}
    customer = by_action["客户已修改"]
    assert customer[1] == "mgr-audit"
    assert (
        customer[4]
        == "信用额度：¥5,000.00 → ¥12,500.50；付款条件：预付款 → 月结 30 天；信用冻结：否 → 是"
    )
    assert not any("<" in cell for row in rows for cell in row)
    translation.activate("en")


def test_filter_by_action_offers_the_labels(changes, client):
    page = get(client, changes, "en", "?action=customer.update")
    assert '<option value="customer.update" selected>Customer changed</option>' in page
    assert "Credit limit:" in page
    assert "Standard cost:" not in page
    translation.activate("en")


def written_action_codes() -> dict[str, str]:
    """Every audit action code the code base writes: string constants given as `action=` to a
    call, or assigned to a variable named `action`, outside tests and migrations."""
    found: dict[str, str] = {}
    packages = [p for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"]
    for path in (path for package in packages for path in package.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values = []
            if (isinstance(node, ast.keyword) and node.arg == "action") or (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "action" for t in node.targets)
            ):
                values.append(node.value)
            for value in values:
                for constant in ast.walk(value):
                    text = constant.value if isinstance(constant, ast.Constant) else None
                    if isinstance(text, str) and ACTION_CODE.match(text):
                        found[text] = str(relative)
    return found


def test_every_audit_action_written_anywhere_has_a_label():
    written = written_action_codes()
    # The scan sees the services that audit (customers, inventory, orders' rules).
    assert {"customer.update", "product.create", "price_list.import", "work_order.cancel"} <= set(
        written
    )
    missing = {
        code: where
        for code, where in written.items()
        if code not in registered_codes(AUDIT_ACTIONS)
    }
    assert missing == {}, f"register_audit_actions() these codes: {missing}"
    # And no label for a code nothing writes (a renamed action leaves none behind).
    assert registered_codes(AUDIT_ACTIONS) - set(written) == set()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_action_label_is_translated(language):
    from oms.texts import audit_action_label

    with translation.override(language):
        labels = {code: audit_action_label(code) for code in registered_codes(AUDIT_ACTIONS)}
    assert all(label and label != code for code, label in labels.items())
    if language == "zh-hans":
        assert not any(label.isascii() for label in labels.values())


def test_price_list_prices_read_as_money_per_break(db, client):
    from orders.models import PriceList
    from orders.services.rules import Break, breaks_worded, price_list_prices_set

    manager = UserFactory(username="mgr-prices", role="manager")
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    product = ProductFactory(sku="CL-3001")
    for breaks in ([(1, "1000"), (10, "900")], [(1, "980"), (20, "850")]):
        price_list_prices_set(
            actor=manager,
            price_list=price_list,
            sku=product.sku,
            breaks=[Break(q, Decimal(p)) for q, p in breaks],
        )
    english = table(get(client, manager, "en", "?action=price_list.prices"))
    assert "CL-3001: ¥1,000.00 from 1, ¥900.00 from 10 → ¥980.00 from 1, ¥850.00 from 20" in english
    chinese = table(get(client, manager, "zh-hans", "?action=price_list.prices"))
    # Full-width brackets, as Chinese text writes them.
    assert "CL-3001：¥1,000.00\uff081 起\uff09，¥900.00\uff0810 起\uff09" in chinese
    translation.activate("en")
    # Text in another shape (written by an older version) is shown as it is.
    assert breaks_worded("1 = 100") == "1 = 100"
