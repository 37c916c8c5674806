"""Demo data of the channel API: a token of the API channel (printed once, when made) and a
few orders an integration sent through it, one of them from a marketplace buyer whose phone
the platform masked."""

from decimal import Decimal

from django.db import transaction

from inventory.models import StockLevel
from oms.demo import SeedContext
from orders.choices import ChannelCode
from orders.intake.models import ApiScope, ApiToken, Channel
from orders.intake.place import SentAddress, SentBuyer, SentLine, SentOrder, intake_order
from orders.intake.tokens import token_create

DEMO_TOKEN = "Demo integration"
BUYERS = [
    ("jd_5f3a21", "李女士", "139****2048", "广东省", "深圳市", "南山区", "科技园南区 8 栋 1201"),
    ("shop_10088", "Zhang Wei", "13812340088", "Zhejiang", "杭州市", "西湖区", "文三路 90 号"),
    ("tb_cc_lin", "林先生", "186****7711", "江苏省", "南京市", "鼓楼区", "中山北路 30 号"),
    ("shop_10102", "王芳", "13600001102", "上海市", "上海市", "浦东新区", "张江路 500 弄 3 号"),
]


def seed_channel_api(context: SeedContext) -> None:
    api = Channel.objects.get(code=ChannelCode.API)
    if not ApiToken.objects.filter(channel=api, name=DEMO_TOKEN).exists():
        _row, token = token_create(
            actor=None, channel=api, name=DEMO_TOKEN, scopes=list(ApiScope.values)
        )
        context.say(f"API token of channel {api.code} (shown once): {token}")
    in_stock = list(
        StockLevel.objects.filter(on_hand__gte=50, product__is_active=True)
        .filter(product__made_to_order=False)
        .values_list("product__sku", flat=True)
        .distinct()[:20]
    )
    if not in_stock:
        return
    rng = context.rng
    placed = 0
    for n, (buyer_id, name, phone, region, city, district, street) in enumerate(BUYERS * 2):
        skus = rng.sample(in_stock, k=min(len(in_stock), rng.choice([1, 2])))
        # Half of them come priced by the shop (gross prices as its buyers saw them).
        priced = n % 2 == 0
        sent = SentOrder(
            external_id=f"API-DEMO-{n + 1:04d}",
            buyer=SentBuyer(buyer_id=buyer_id, name=name, phone=phone),
            ship_to=SentAddress(
                recipient=name,
                phone=phone,
                region=region,
                city=city,
                district=district,
                street=street,
            ),
            lines=tuple(
                SentLine(
                    sku=sku,
                    quantity=rng.randint(1, 3),
                    unit_price=Decimal(rng.randint(59, 899)) if priced else None,
                    tax_rate=Decimal(13) if priced else None,
                )
                for sku in skus
            ),
            prices_include_tax=True if priced else None,
            notes="" if n % 3 else "请工作日送货",
        )
        with transaction.atomic():
            placed += intake_order(channel=api, sent=sent).created
    context.say(f"{placed} orders sent through the channel API")
