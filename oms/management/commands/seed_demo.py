"""Demo data for trying the OMS: warehouses, products, customers, stock and a user per role.

Idempotent: rows are keyed by code/SKU/username and only missing ones are added; stock is
received through the stock services, so the ledger matches on_hand.
"""

import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from customers.choices import CustomerGroup, CustomerKind, CustomerTier, PaymentTerms
from customers.models import Address, Customer
from inventory.choices import TaxClass, Unit
from inventory.models import Category, Product, StockLevel, Warehouse
from inventory.services import stock_level_update, stock_receive
from oms.regions import PROVINCES_BY_CODE
from oms.roles import ROLES, sync_role_groups
from orders.models import Order

DEMO_PASSWORD = "demo-oms-2026"

WAREHOUSES = [
    ("SH1", "上海嘉定仓", "SH", "上海", "嘉定区安亭镇墨玉路 88 号", 31.375, 121.165),
    ("GZ1", "广州白云仓", "GD", "广州", "白云区太和镇龙归路 12 号", 23.312, 113.338),
    ("BJ1", "北京大兴仓", "BJ", "北京", "大兴区礼贤镇物流园 6 号", 39.621, 116.413),
    ("CD1", "成都双流仓", "SC", "成都", "双流区西航港大道 1999 号", 30.522, 103.962),
    ("WH1", "武汉东西湖仓", "HB", "武汉", "东西湖区走马岭物流园 3 号", 30.659, 114.097),
]

# (category zh, category en, sku prefix, [(name zh, name en, unit, weight, volume, cost)], specs, made_to_order)
CATALOGUE = [
    (
        "吸顶灯",
        "Ceiling lights",
        "CL",
        [
            ("圆形吸顶灯", "Round ceiling light", 2.1, 0.018, 68),
            ("方形吸顶灯", "Square ceiling light", 2.4, 0.02, 79),
            ("星空吸顶灯", "Starry ceiling light", 3.0, 0.03, 128),
        ],
        ["24W", "36W", "48W"],
    ),
    (
        "吊灯",
        "Pendant lights",
        "PL",
        [
            ("北欧吊灯", "Nordic pendant", 1.6, 0.025, 96),
            ("水晶吊灯", "Crystal chandelier", 8.5, 0.12, 560),
            ("餐厅吊灯", "Dining pendant", 2.2, 0.03, 138),
        ],
        ["单头 1-light", "三头 3-light", "五头 5-light"],
    ),
    (
        "壁灯",
        "Wall lights",
        "WL",
        [
            ("床头壁灯", "Bedside wall light", 0.9, 0.007, 42),
            ("户外壁灯", "Outdoor wall light", 1.3, 0.009, 66),
        ],
        ["单头 1-light", "双头 2-light", "感应 sensor"],
    ),
    (
        "台灯",
        "Desk lamps",
        "DL",
        [
            ("护眼台灯", "Eye-care desk lamp", 1.1, 0.008, 45),
            ("折叠台灯", "Folding desk lamp", 0.8, 0.006, 32),
        ],
        ["USB", "充电 rechargeable"],
    ),
    (
        "落地灯",
        "Floor lamps",
        "FL",
        [
            ("钓鱼落地灯", "Arc floor lamp", 6.2, 0.08, 210),
            ("布艺落地灯", "Fabric floor lamp", 4.1, 0.06, 150),
        ],
        ["1.6m", "1.8m"],
    ),
    (
        "筒灯",
        "Downlights",
        "DN",
        [
            ("LED筒灯", "LED downlight", 0.25, 0.001, 9.5),
            ("防雾筒灯", "Anti-glare downlight", 0.3, 0.001, 14),
        ],
        ["5W", "7W", "12W"],
    ),
    (
        "射灯",
        "Spotlights",
        "SP",
        [
            ("轨道射灯", "Track spotlight", 0.6, 0.003, 28),
            ("嵌入式射灯", "Recessed spotlight", 0.35, 0.002, 19),
        ],
        ["7W", "12W", "20W"],
    ),
    (
        "灯带",
        "LED strips",
        "ST",
        [("LED灯带", "LED strip", 0.5, 0.002, 22)],
        ["5m 2700K", "5m 4000K", "10m 6500K"],
    ),
    (
        "灯泡",
        "Bulbs",
        "BU",
        [("LED球泡", "LED bulb", 0.05, 0.0002, 3.2), ("智能灯泡", "Smart bulb", 0.08, 0.0003, 18)],
        ["E27 9W", "E27 12W", "E14 5W"],
    ),
    (
        "收纳",
        "Storage",
        "SO",
        [
            ("折叠收纳箱", "Folding storage box", 1.2, 0.04, 26),
            ("抽屉收纳柜", "Drawer cabinet", 7.5, 0.15, 119),
        ],
        ["小号 S", "中号 M", "大号 L"],
    ),
    (
        "厨具",
        "Kitchenware",
        "KI",
        [
            ("不锈钢炒锅", "Stainless wok", 1.9, 0.012, 88),
            ("陶瓷餐具套装", "Ceramic dinner set", 4.2, 0.03, 135),
        ],
        ["28cm", "32cm"],
    ),
    (
        "家纺",
        "Home textiles",
        "TX",
        [
            ("纯棉四件套", "Cotton bedding set", 2.6, 0.02, 168),
            ("羽绒枕", "Down pillow", 0.9, 0.03, 72),
        ],
        ["1.5m", "1.8m"],
    ),
    (
        "浴室",
        "Bathroom",
        "BA",
        [("浴室镜柜", "Mirror cabinet", 11.0, 0.09, 420), ("毛巾架", "Towel rack", 1.1, 0.006, 58)],
        ["60cm", "80cm"],
    ),
]
COLOURS = [
    ("白色", "White"),
    ("黑色", "Black"),
    ("金色", "Gold"),
    ("银色", "Silver"),
    ("木纹", "Wood grain"),
]

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

DEMO_USERS = [
    ("manager", "manager", "王经理"),
    ("sales1", "sales", "李销售"),
    ("sales2", "sales", "陈销售"),
    ("reviewer", "reviewer", "赵审核"),
    ("warehouse", "warehouse", "孙仓管"),
    ("logistics", "logistics", "周物流"),
    ("finance", "finance", "吴财务"),
    ("service", "customer_service", "郑客服"),
]


class Command(BaseCommand):
    help = "Load demo data (idempotent): warehouses, ~200 products, ~500 customers, stock, users."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=500)
        parser.add_argument("--orders", type=int, default=2000)

    def handle(self, *args, customers: int, orders: int, **options):
        rng = random.Random(2026)
        users = self.seed_users()
        warehouses = self.seed_warehouses()
        products = self.seed_products(rng)
        self.seed_customers(
            rng, customers, [u for u in users if u.groups.filter(name="sales").exists()]
        )
        self.seed_stock(products, warehouses, users[0])
        from oms.management.commands import seed_orders

        seed_orders.seed_pricing(products)
        seed_orders.seed_orders(orders, {u.username: u for u in users}, self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {Warehouse.objects.count()} warehouses, {Product.objects.count()} products, "
                f"{Customer.objects.count()} customers, {StockLevel.objects.count()} stock levels, "
                f"{Order.objects.count()} orders."
            )
        )

    def seed_users(self):
        user_model = get_user_model()
        if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
            sync_role_groups(Group, Permission)
        users, created = [], []
        for username, role, name in DEMO_USERS:
            user, was_created = user_model.objects.get_or_create(
                username=username,
                defaults={"first_name": name, "email": f"{username}@example.com"},
            )
            if was_created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created.append(f"{username} ({ROLES[role].label})")
            user.groups.add(Group.objects.get(name=role))
            users.append(user)
        if created:
            self.stdout.write(f"Demo users, password '{DEMO_PASSWORD}': " + ", ".join(created))
        return users

    def seed_warehouses(self):
        for code, name, region, city, address, lat, lon in WAREHOUSES:
            Warehouse.objects.get_or_create(
                code=code,
                defaults=dict(
                    name=name,
                    region=region,
                    city=city,
                    address=address,
                    latitude=Decimal(str(lat)),
                    longitude=Decimal(str(lon)),
                ),
            )
        return list(Warehouse.objects.filter(code__in=[w[0] for w in WAREHOUSES]).order_by("code"))

    def seed_products(self, rng):
        existing = set(Product.objects.values_list("sku", flat=True))
        new = []
        for cat_zh, cat_en, prefix, items, specs in CATALOGUE:
            category, _ = Category.objects.get_or_create(name=cat_zh, defaults={"name_en": cat_en})
            for item_no, (name_zh, name_en, weight, volume, cost) in enumerate(items, start=1):
                for spec_no, spec in enumerate(specs, start=1):
                    colours = COLOURS[: 2 if prefix in ("BU", "ST", "DN") else 3]
                    for colour_no, (colour_zh, colour_en) in enumerate(colours, start=1):
                        sku = f"{prefix}-{item_no:02d}{spec_no}{colour_no}"
                        if sku in existing:
                            continue
                        factor = Decimal(1 + 0.25 * (spec_no - 1))
                        new.append(
                            Product(
                                sku=sku,
                                name=f"{name_zh} {spec} {colour_zh}",
                                name_en=f"{name_en} {spec.split()[-1]} {colour_en}",
                                model=f"{prefix}{item_no:02d}",
                                spec=spec,
                                colour=colour_zh,
                                category=category,
                                unit=Unit.SET
                                if prefix in ("TX", "KI") and item_no == 2
                                else Unit.PIECE,
                                weight_kg=(Decimal(str(weight)) * factor).quantize(
                                    Decimal("0.001")
                                ),
                                volume_m3=(Decimal(str(volume)) * factor).quantize(
                                    Decimal("0.0001")
                                ),
                                standard_cost=(Decimal(str(cost)) * factor).quantize(
                                    Decimal("0.01")
                                ),
                                tax_class=TaxClass.STANDARD,
                                made_to_order=(name_en == "Crystal chandelier" and spec_no == 3),
                                is_active=not (prefix == "DL" and item_no == 2 and colour_no == 3),
                            )
                        )
        Product.objects.bulk_create(new)
        return list(Product.objects.select_related("category").order_by("sku"))

    def seed_customers(self, rng, count, salespeople):
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
                        district=rng.choice(
                            ["高新区", "开发区", "城东区", "城西区", "经济技术开发区"]
                        ),
                        street=f"{rng.choice(['人民路', '中山路', '解放路', '建设路', '和平路'])} {rng.randint(1, 999)} 号",
                        postal_code=f"{rng.randint(100000, 859999)}",
                        latitude=Decimal(str(round(province.latitude + rng.uniform(-0.2, 0.2), 6)))
                        if has_coordinates
                        else None,
                        longitude=Decimal(
                            str(round(province.longitude + rng.uniform(-0.2, 0.2), 6))
                        )
                        if has_coordinates
                        else None,
                        is_default_shipping=index == 0,
                        is_default_billing=index == 0,
                    )

    def seed_stock(self, products, warehouses, actor):
        stocked_products = set(StockLevel.objects.values_list("product_id", flat=True))
        for product in products:
            if product.made_to_order or not product.is_active or product.pk in stocked_products:
                continue
            rng = random.Random(f"stock-{product.sku}")  # the same stock whatever ran before
            for warehouse in rng.sample(warehouses, k=rng.randint(2, len(warehouses))):
                quantity = rng.choice([12, 20, 40, 80, 150, 300, 600, 1000])
                movement = stock_receive(
                    actor=actor,
                    product=product,
                    warehouse=warehouse,
                    quantity=quantity,
                    reference="OPENING",
                    note="Opening balance",
                    bin_location=f"{rng.choice('ABCDEF')}{rng.randint(1, 20):02d}-{rng.randint(1, 6)}",
                )
                # About one in ten ends below its safety stock, so the low-stock page has work.
                low = rng.random() < 0.1
                stock_level_update(
                    actor=actor,
                    stock_level=movement.stock_level,
                    bin_location=movement.stock_level.bin_location,
                    safety_stock=quantity + rng.randint(5, 30)
                    if low
                    else max(1, quantity // rng.randint(3, 6)),
                )
