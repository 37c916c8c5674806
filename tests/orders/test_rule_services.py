"""The rules behind prices and reviews: validation in models and services, audit rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from customers.services import customer_create
from inventory.services import product_save, warehouse_save
from oms.models import AuditLog
from orders.models import ApprovalRule, PriceList, PriceListItem, Promotion, ShippingRule
from orders.services import rules as services
from orders.services.rules import Break
from tests.factories import CategoryFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return UserFactory(username="pricing-mgr", role="manager")


def errors_of(excinfo, language: str = "en") -> dict[str, list[str]]:
    # Models word their errors lazily: in the language active when they are shown.
    with translation.override(language):
        return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


# ------------------------------------------------------------------ approval rules


def test_amount_rule_needs_an_amount_and_changes_nothing(manager):
    data = {"name": "Big", "condition": "amount_at_least", "required_role": "manager", "level": 1}
    with pytest.raises(ValidationError) as excinfo:
        services.approval_rule_save(actor=manager, rule=None, data={**data, "threshold": None})
    assert "threshold" in errors_of(excinfo)
    with pytest.raises(ValidationError):
        services.approval_rule_save(
            actor=manager, rule=None, data={**data, "threshold": Decimal("0")}
        )
    assert not ApprovalRule.objects.exists()
    assert not AuditLog.objects.exists()


def test_other_rules_drop_a_leftover_amount(manager):
    rule = services.approval_rule_save(
        actor=manager,
        rule=None,
        data={
            "name": "  New customers  ",
            "condition": "new_customer",
            "threshold": Decimal("500"),
            "required_role": "finance",
            "level": 2,
        },
    )
    rule.refresh_from_db()
    assert rule.threshold is None
    assert rule.name == "New customers"


def test_approval_rule_message_in_chinese(manager):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        services.approval_rule_save(
            actor=manager,
            rule=None,
            data={"name": "大额", "condition": "amount_at_least", "required_role": "manager"},
        )
    assert errors_of(excinfo, "zh-hans")["threshold"] == ["请输入需要此审批的订单起始金额。"]


def test_approval_rule_update_and_deactivation_are_audited(manager):
    rule = ApprovalRule.objects.create(
        name="Big", condition="amount_at_least", threshold=1000, required_role="manager"
    )
    # A form may already have changed the instance in memory: the service reads the row.
    rule.threshold = Decimal("5000")
    services.approval_rule_save(
        actor=manager,
        rule=rule,
        data={
            "name": "Big",
            "condition": "amount_at_least",
            "threshold": Decimal("5000"),
            "required_role": "manager",
            "level": 1,
        },
    )
    services.approval_rule_set_active(actor=manager, rule=rule, active=False)
    rows = list(AuditLog.objects.order_by("id").values_list("action", "changes", "actor"))
    assert rows == [
        ("approval_rule.update", {"threshold": ["1000.00", "5000"]}, manager.pk),
        ("approval_rule.deactivate", {"is_active": [True, False]}, manager.pk),
    ]
    assert ApprovalRule.objects.get().is_active is False


# ------------------------------------------------------------------ promotions


def promotion_data(**overrides):
    return {
        "name": "Spring",
        "kind": "percent",
        "value": Decimal("10"),
        "scope": "all",
        "product": None,
        "category": None,
        "customer_tier": "",
        "starts_on": date(2026, 3, 1),
        "ends_on": date(2026, 3, 31),
        "stackable": False,
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": date(2026, 2, 28)}, "ends_on"),
        ({"value": Decimal("120")}, "value"),
        ({"value": Decimal("0")}, "value"),
        ({"scope": "product"}, "product"),
        ({"scope": "category"}, "category"),
        ({"scope": "tier"}, "customer_tier"),
        ({"name": "   "}, "name"),
    ],
)
def test_promotion_rules(manager, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        services.promotion_save(actor=manager, promotion=None, data=promotion_data(**overrides))
    assert field in errors_of(excinfo)
    assert not Promotion.objects.exists()


def test_promotion_keeps_only_the_target_its_scope_reads(manager):
    product, category = ProductFactory(), CategoryFactory(name="筒灯")
    promotion = services.promotion_save(
        actor=manager,
        promotion=None,
        data=promotion_data(
            scope="category",
            product=product,
            category=category,
            customer_tier="gold",
            kind="fixed",
            value=Decimal("150"),  # an amount off each unit: no 100 limit
        ),
    )
    promotion.refresh_from_db()
    assert (promotion.product, promotion.category, promotion.customer_tier) == (None, category, "")
    assert AuditLog.objects.get().action == "promotion.create"


def test_promotion_end_before_start_in_chinese(manager):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        services.promotion_save(
            actor=manager, promotion=None, data=promotion_data(ends_on=date(2026, 1, 1))
        )
    assert errors_of(excinfo, "zh-hans")["ends_on"] == ["促销结束日期不能早于开始日期。"]


# ------------------------------------------------------------------ shipping fee rules


def shipping_data(**overrides):
    return {
        "name": "Standard",
        "region": "",
        "max_weight_kg": None,
        "base_fee": Decimal("12"),
        "per_kg_fee": Decimal("0"),
        "free_above": None,
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"base_fee": Decimal("-1")}, "base_fee"),
        ({"per_kg_fee": Decimal("-0.5")}, "per_kg_fee"),
        ({"max_weight_kg": Decimal("0")}, "max_weight_kg"),
        ({"free_above": Decimal("0")}, "free_above"),
    ],
)
def test_shipping_rule_rules(manager, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        services.shipping_rule_save(actor=manager, rule=None, data=shipping_data(**overrides))
    assert field in errors_of(excinfo)


def test_two_active_rules_may_not_share_a_region_and_weight_band(manager):
    first = services.shipping_rule_save(
        actor=manager, rule=None, data=shipping_data(region="ZJ", max_weight_kg=Decimal("5"))
    )
    with pytest.raises(ValidationError) as excinfo:
        services.shipping_rule_save(
            actor=manager,
            rule=None,
            data=shipping_data(name="Other", region="ZJ", max_weight_kg=Decimal("5.000")),
        )
    assert "Standard" in errors_of(excinfo)["max_weight_kg"][0]
    # Another band, or the same band once the first is off, is fine.
    services.shipping_rule_save(
        actor=manager, rule=None, data=shipping_data(region="ZJ", max_weight_kg=Decimal("10"))
    )
    services.shipping_rule_set_active(actor=manager, rule=first, active=False)
    second = services.shipping_rule_save(
        actor=manager, rule=None, data=shipping_data(region="ZJ", max_weight_kg=Decimal("5"))
    )
    with pytest.raises(ValidationError):
        services.shipping_rule_set_active(actor=manager, rule=first, active=True)
    assert ShippingRule.objects.get(pk=first.pk).is_active is False
    assert ShippingRule.objects.get(pk=second.pk).is_active is True


# ------------------------------------------------------------------ price lists


def test_one_active_price_list_per_group(manager):
    retail = services.price_list_save(
        actor=manager,
        price_list=None,
        data={"name": "Retail 2026", "customer_group": "retail", "prices_include_tax": True},
    )
    next_year = services.price_list_save(
        actor=manager,
        price_list=None,
        data={"name": "Retail 2027", "customer_group": "retail", "prices_include_tax": True},
    )
    assert retail.is_active
    assert not next_year.is_active
    replaced = services.price_list_activate(actor=manager, price_list=next_year)
    assert replaced == retail
    assert list(PriceList.objects.filter(is_active=True)) == [next_year]
    actions = list(AuditLog.objects.order_by("id").values_list("action", "object_id"))
    assert actions[-2:] == [
        ("price_list.deactivate", str(retail.pk)),
        ("price_list.activate", str(next_year.pk)),
    ]
    wholesale = services.price_list_save(
        actor=manager,
        price_list=None,
        data={"name": "Wholesale", "customer_group": "wholesale", "prices_include_tax": False},
    )
    with pytest.raises(ValidationError) as excinfo:
        services.price_list_save(
            actor=manager,
            price_list=wholesale,
            data={"name": "Wholesale", "customer_group": "retail", "prices_include_tax": False},
        )
    assert "Retail 2027" in errors_of(excinfo)["customer_group"][0]


def test_quantity_breaks_are_set_per_product(manager):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    product = ProductFactory(sku="CL-3001")
    services.price_list_prices_set(
        actor=manager,
        price_list=price_list,
        sku="  cl-3001 ",
        breaks=[Break(1, Decimal("100")), Break(10, Decimal("90")), Break(None, None)],
    )
    services.price_list_prices_set(
        actor=manager,
        price_list=price_list,
        sku="CL-3001",
        breaks=[Break(1, Decimal("98")), Break(20, Decimal("85"))],
    )
    assert list(
        PriceListItem.objects.filter(product=product)
        .order_by("min_quantity")
        .values_list("min_quantity", "unit_price")
    ) == [(1, Decimal("98.00")), (20, Decimal("85.00"))]
    changes = [
        entry.changes
        for entry in AuditLog.objects.filter(action="price_list.prices").order_by("id")
    ]
    assert changes == [
        {"CL-3001": "1: 100, 10: 90"},
        {"CL-3001": ["1: 100.00, 10: 90.00", "1: 98, 20: 85"]},
    ]


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        ([Break(10, Decimal("90")), Break(1, Decimal("100"))], "go up"),
        ([Break(1, Decimal("100")), Break(1, Decimal("95"))], "two prices"),
        ([Break(0, Decimal("100"))], "between 1 and"),
        ([Break(1, Decimal("-1"))], "0 or more"),
        ([Break(5, None)], "both"),
        ([Break(None, None)], "at least one"),
    ],
)
def test_bad_breaks_change_nothing(manager, breaks, message):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    product = ProductFactory(sku="CL-3001")
    PriceListItem.objects.create(price_list=price_list, product=product, unit_price=100)
    with pytest.raises(ValidationError) as excinfo:
        services.price_list_prices_set(
            actor=manager, price_list=price_list, sku="CL-3001", breaks=breaks
        )
    assert message in errors_of(excinfo)["breaks"][0]
    assert PriceListItem.objects.get().unit_price == Decimal("100.00")
    assert not AuditLog.objects.exists()


def test_unknown_sku_is_an_error_on_the_sku(manager):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        services.price_list_prices_set(
            actor=manager, price_list=price_list, sku="nope-1", breaks=[Break(1, Decimal("1"))]
        )
    assert errors_of(excinfo, "zh-hans")["sku"] == ["没有 SKU 为 NOPE-1 的商品。"]


def test_import_sets_pasted_skus_and_keeps_the_others(manager):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    kept, changed, new = (ProductFactory(sku=s) for s in ("KEEP-1", "CL-3001", "PL-2002"))
    PriceListItem.objects.create(price_list=price_list, product=kept, unit_price=7)
    PriceListItem.objects.create(price_list=price_list, product=changed, unit_price=100)
    text = (
        "SKU\tFrom quantity\tUnit price\n"  # a header row from the export
        "cl-3001\t10\t¥1,190.00\n"
        "CL-3001\t1\t1,280.00\n"
        "\n"
        "PL-2002\t59.9\n"  # two cells: a price from 1
    )
    assert services.price_list_import(actor=manager, price_list=price_list, text=text) == 2
    prices = {
        (item.product.sku, item.min_quantity): item.unit_price
        for item in PriceListItem.objects.select_related("product")
    }
    assert prices == {
        ("KEEP-1", 1): Decimal("7.00"),
        ("CL-3001", 1): Decimal("1280.00"),
        ("CL-3001", 10): Decimal("1190.00"),
        ("PL-2002", 1): Decimal("59.90"),
    }
    entry = AuditLog.objects.get(action="price_list.import")
    assert entry.changes == {
        "CL-3001": ["1: 100.00", "1: 1280.00, 10: 1190.00"],
        "PL-2002": "1: 59.9",
    }
    assert new.pk
    assert kept.pk


def test_import_is_all_or_nothing_with_line_numbers(manager):
    price_list = PriceList.objects.create(name="Retail", customer_group="retail")
    ProductFactory(sku="CL-3001")
    with pytest.raises(ValidationError) as excinfo:
        services.price_list_import(
            actor=manager, price_list=price_list, text="CL-3001,1,100\nCL-3001,two,5\n"
        )
    assert errors_of(excinfo)["text"] == ["Line 2: the from quantity must be a whole number."]
    with pytest.raises(ValidationError) as excinfo:
        services.price_list_import(
            actor=manager, price_list=price_list, text="CL-3001,1,100\nCL-3001,1,90\nXX-9,1,5\n"
        )
    assert errors_of(excinfo)["text"] == [
        "No product has the SKU XX-9.",
        "CL-3001: The quantity 1 has two prices: keep one.",
    ]
    assert not PriceListItem.objects.exists()
    assert not AuditLog.objects.exists()


# ------------------------------------------------------------------ codes and SKUs


def test_codes_and_skus_are_normalised_by_the_model(manager):
    customer = customer_create(
        actor=manager,
        data={
            "code": " c20001 ",
            "name": "杭州明辉",
            "phone": "13912345678",
            "region": "ZJ",
            "kind": "business",
            "group": "retail",
            "tier": "standard",
            "payment_terms": "prepaid",
            "credit_limit": Decimal("0"),
        },
    )
    assert customer.code == "C20001"
    product = product_save(
        actor=manager,
        product=None,
        data={
            "sku": " cl-9001 ",
            "name": "吸顶灯",
            "unit": "pcs",
            "weight_kg": Decimal("1"),
            "volume_m3": Decimal("0"),
            "standard_cost": Decimal("10"),
            "tax_class": "standard",
        },
    )
    assert product.sku == "CL-9001"
    assert AuditLog.objects.get(action="product.create").changes["sku"] == "CL-9001"
    with pytest.raises(ValidationError) as excinfo:
        product_save(actor=manager, product=None, data={"sku": "cl-9001", "name": "x"})
    assert "sku" in errors_of(excinfo)
    warehouse = warehouse_save(
        actor=manager,
        warehouse=None,
        data={
            "code": "sh9",
            "name": "上海",
            "region": "SH",
            "city": "上海",
            "address": "嘉定",
            "latitude": Decimal("31.2"),
            "longitude": Decimal("121.4"),
        },
    )
    assert warehouse.code == "SH9"


def test_address_needs_both_coordinates_or_neither(manager):
    from customers.services import address_save
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    data = {"recipient": "张三", "phone": "13812345678", "region": "ZJ", "city": "杭州"}
    with pytest.raises(ValidationError) as excinfo:
        address_save(
            actor=manager,
            customer=customer,
            address=None,
            data={**data, "street": "文三路 1 号", "latitude": Decimal("30.2")},
        )
    assert errors_of(excinfo)["__all__"] == ["Enter both latitude and longitude, or neither."]
    assert not customer.addresses.exists()
