"""Demo customers: ~500 companies and people across China's busiest regions, with addresses.

Idempotent: customers are keyed by code, and only missing ones are added. They are dated in
the three years before the demo history starts.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from customers.choices import CustomerGroup, CustomerKind, CustomerTier, PaymentTerms
from customers.models import Address, Customer
from oms.demo import backdate
from oms.regions import PROVINCES_BY_CODE

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国志红晨宇浩然欣怡子轩梓涵一诺"
COMPANY_WORDS = [
    "华美",
    "鑫源",
    "宏达",
    "佳诚",
    "恒通",
    "盛世",
    "明辉",
    "正道",
    "瑞丰",
    "金桥",
    "天成",
    "光华",
    "锦程",
    "新锐",
    "博远",
]
COMPANY_KINDS = ["灯饰", "照明", "家居", "建材", "装饰工程", "商贸", "酒店用品", "电器"]
CITIES = {
    "BJ": ["北京"],
    "TJ": ["天津"],
    "HE": ["石家庄", "保定"],
    "SX": ["太原"],
    "NM": ["呼和浩特"],
    "LN": ["沈阳", "大连"],
    "JL": ["长春"],
    "HL": ["哈尔滨"],
    "SH": ["上海"],
    "JS": ["南京", "苏州", "无锡"],
    "ZJ": ["杭州", "宁波", "温州"],
    "AH": ["合肥"],
    "FJ": ["福州", "厦门"],
    "JX": ["南昌"],
    "SD": ["济南", "青岛"],
    "HA": ["郑州"],
    "HB": ["武汉"],
    "HN": ["长沙"],
    "GD": ["广州", "深圳", "佛山", "中山"],
    "GX": ["南宁"],
    "HI": ["海口"],
    "CQ": ["重庆"],
    "SC": ["成都"],
    "GZ": ["贵阳"],
    "YN": ["昆明"],
    "SN": ["西安"],
    "GS": ["兰州"],
    "QH": ["西宁"],
    "NX": ["银川"],
    "XJ": ["乌鲁木齐"],
}
BUSY_REGIONS = (
    ["GD"] * 8
    + ["ZJ"] * 6
    + ["JS"] * 6
    + ["SH"] * 5
    + ["BJ"] * 4
    + ["SD"] * 3
    + ["SC"] * 3
    + ["HB"] * 3
    + list(CITIES)
)


def seed_customers_demo(context) -> None:
    salespeople = list(get_user_model().objects.filter(groups__name="sales").order_by("username"))
    started = timezone.now()
    seed_customers(context.rng, context.customers, salespeople)
    # Customers of the demo company came over the three years before its demo history.
    new = Customer.objects.filter(created_at__gte=started).values_list("pk", flat=True)
    rng = random.Random("customers-since")
    since = {pk: context.start - timedelta(days=rng.uniform(7, 3 * 365)) for pk in new}
    for column in ("created_at", "updated_at"):
        backdate(Customer, column, since)
    context.say(f"{Customer.objects.count()} customers")


def seed_customers(rng, count: int, salespeople: list) -> None:
    existing = set(Customer.objects.values_list("code", flat=True))
    for number in range(1, count + 1):
        code = f"C{number:05d}"
        if code in existing:
            continue
        region = rng.choice(BUSY_REGIONS)
        city = rng.choice(CITIES[region])
        business = rng.random() < 0.7
        person = rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))
        )
        if business:
            name = f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_KINDS)}有限公司"
            group = rng.choice(
                [CustomerGroup.WHOLESALE] * 3
                + [CustomerGroup.DISTRIBUTOR] * 2
                + [CustomerGroup.RETAIL]
            )
        else:
            name, group = person, CustomerGroup.RETAIL
        tier = rng.choices(list(CustomerTier), weights=[60, 25, 11, 4])[0]
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        province = PROVINCES_BY_CODE[region]
        with transaction.atomic():
            customer = Customer.objects.create(
                code=code,
                name=name,
                kind=CustomerKind.BUSINESS if business else CustomerKind.INDIVIDUAL,
                contact_person=person if business else "",
                phone=phone,
                email=f"c{number:05d}@example.cn" if rng.random() < 0.6 else "",
                group=group,
                tier=tier,
                credit_limit=Decimal(rng.choice([0, 20000, 50000, 100000, 300000]))
                if business
                else Decimal(0),
                payment_terms=rng.choice(
                    [PaymentTerms.NET_30, PaymentTerms.NET_60, PaymentTerms.PREPAID]
                )
                if business
                else rng.choice([PaymentTerms.PREPAID, PaymentTerms.COD]),
                salesperson=rng.choice(salespeople) if salespeople else None,
                region=region,
                tags=rng.sample(
                    ["VIP", "工程", "连锁", "新客户", "电商", "酒店"],
                    k=rng.choice((0, 0, 1, 2)),
                ),
                is_active=rng.random() > 0.03,
            )
            for index in range(rng.choice((1, 1, 1, 2))):
                has_coordinates = rng.random() < 0.5
                Address.objects.create(
                    customer=customer,
                    label="总部" if index == 0 and business else ("仓库" if business else ""),
                    recipient=person,
                    phone=phone,
                    region=region,
                    city=city,
                    district=rng.choice(["高新区", "开发区", "城东区", "城西区", "经济技术开发区"]),
                    street=f"{rng.choice(['人民路', '中山路', '解放路', '建设路', '和平路'])} {rng.randint(1, 999)} 号",
                    postal_code=f"{rng.randint(100000, 859999)}",
                    latitude=Decimal(str(round(province.latitude + rng.uniform(-0.2, 0.2), 6)))
                    if has_coordinates
                    else None,
                    longitude=Decimal(str(round(province.longitude + rng.uniform(-0.2, 0.2), 6)))
                    if has_coordinates
                    else None,
                    is_default_shipping=index == 0,
                    is_default_billing=index == 0,
                )


# Contact notes staff wrote after calls and visits (demo data, in the demo company's language).
NOTES = [
    "电话回访：上批货已签收，包装完好。客户询问下季度的阶梯价。",
    "拜访采购部林经理，对方计划下月追加一批工程订单，需提前确认库存。",
    "客户来电催缺货商品，已告知预计到货时间，客户表示可以等待。",
    "对账：客户财务确认上月发票已收到，付款走月结流程。",
    "客户反映一件商品外箱破损，已建议走售后退货流程。",
    "微信沟通：客户希望改用顺丰发货，运费差价由客户承担。",
    "年度回顾会议：客户满意交期，希望增加样品寄送。",
]


def seed_customer_notes_demo(context) -> None:
    """A few contact notes on the first demo customers (the ones with the most history), by
    their salesperson or the manager, dated in the demo history. Idempotent: customers that
    have notes get no more."""
    from customers.models import CustomerNote
    from customers.services import customer_note_add

    rng = random.Random("customer-notes")
    manager = context.users.get("manager") or get_user_model().objects.get(username="manager")
    customers = Customer.objects.filter(is_active=True).select_related("salesperson")
    noted = set(CustomerNote.objects.values_list("customer_id", flat=True))
    moments = {}
    for customer in customers.order_by("code")[:12]:
        if customer.pk in noted:
            continue
        when = context.now - timedelta(days=rng.uniform(60, 120))
        for _ in range(rng.randint(2, 4)):
            note = customer_note_add(
                actor=customer.salesperson or manager,
                customer=customer,
                text=rng.choice(NOTES),
            )
            moments[note.pk] = when
            when = context.later(when, rng.uniform(24, 24 * 25), rng)
            when = min(when, context.now - timedelta(hours=1))
    backdate(CustomerNote, "created_at", moments)
    context.say(f"{len(moments)} contact notes")
