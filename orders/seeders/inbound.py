"""Demo of the inbound channels: a Shopify shop, a WooCommerce shop and Tmall, JD and
Pinduoduo stores pointing at the local marketplace simulator (so orders keep arriving after
`make run`), a few SKU mappings, and deliveries of each platform style in several states:
placed orders, a late update already taken, a bad payload, an order waiting for a mapping."""

import secrets
from datetime import timedelta

from django.conf import settings

from inventory.models import Product
from oms.demo import SeedContext, backdate
from orders.choices import ChannelKind
from orders.intake import inbound
from orders.intake.adapters import samples
from orders.intake.channels import channel_save
from orders.intake.inbound_models import DeliveryKind, InboundDelivery, SkuMapping
from orders.intake.models import Channel

# code, name, kind, path on the simulator
CHANNELS = (
    ("shopify-demo", "Shopify 海外旗舰店", ChannelKind.SHOPIFY, "shopify"),
    ("woo-demo", "WooCommerce 品牌官网", ChannelKind.WOOCOMMERCE, "woocommerce"),
    ("tmall-demo", "天猫旗舰店", ChannelKind.TAOBAO, "taobao/orders"),
    ("jd-demo", "京东旗舰店", ChannelKind.JD, "jd/orders"),
    ("pdd-demo", "拼多多品牌店", ChannelKind.PINDUODUO, "pinduoduo/orders"),
)

# The buyers its placed orders make customers of (Shopify, WooCommerce, Tmall, JD, Pinduoduo).
DEMO_BUYERS = 5


def _channels() -> dict[str, Channel]:
    base = settings.OMS_MARKETPLACE_SIMULATOR_URL.rstrip("/")
    found = {}
    for code, name, kind, path in CHANNELS:
        channel = Channel.objects.filter(code=code).first() or channel_save(
            actor=None,
            channel=None,
            data={
                "code": code,
                "name": name,
                "kind": kind,
                "prices_include_tax": True,
                "endpoint": f"{base}/{path}",
                "secret": secrets.token_urlsafe(24),
            },
        )
        found[kind] = channel
    return found


def seed_inbound_demo(context: SeedContext) -> None:
    channels = _channels()
    products = list(Product.objects.filter(is_active=True, made_to_order=False).order_by("sku")[:4])
    if len(products) < 2:
        return
    first, second = products[0].sku, products[1].sku
    price = "199.00"
    # Marketplaces name products their own way: their SKUs mapped to ours.
    mappings = (
        (ChannelKind.TAOBAO, "TM-" + first, products[0]),
        (ChannelKind.JD, "JD-" + second, products[1]),
        (ChannelKind.PINDUODUO, "PDD-" + first, products[0]),
    )
    for kind, platform_sku, product in mappings:
        if not SkuMapping.objects.filter(
            channel=channels[kind], platform_sku=platform_sku
        ).exists():
            inbound.sku_map(
                actor=None, channel=channels[kind], platform_sku=platform_sku, product=product
            )
    wang, li, zhang, liu, chen = samples.BUYERS
    modified = (context.now - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    later = (context.now - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    bad_woo = samples.woocommerce(30412, li, [(second, 1, price)])
    bad_woo["line_items"][0]["quantity"] = 0  # a broken plugin's order: refused, with why
    tmall = samples.taobao(
        3_926_548_110_271, zhang, [("TM-" + first, 2, "188.00")], modified=modified
    )
    deliveries = (
        (
            ChannelKind.SHOPIFY,
            "demo-shopify-1",
            DeliveryKind.WEBHOOK,
            samples.shopify(
                5_612_004_001,
                wang,
                [(first, 1, price), (second, 2, "59.00")],
                shipping="10.00",
                discount="10.00",
            ),
        ),
        (
            ChannelKind.WOOCOMMERCE,
            "demo-woo-1",
            DeliveryKind.WEBHOOK,
            samples.woocommerce(30411, liu, [(second, 3, "59.00")], shipping="8.00"),
        ),
        (ChannelKind.WOOCOMMERCE, "demo-woo-2", DeliveryKind.WEBHOOK, bad_woo),
        (ChannelKind.TAOBAO, f"{tmall['tid']}@{modified}", DeliveryKind.PULL, tmall),
        (
            ChannelKind.TAOBAO,
            f"{tmall['tid']}@{later}",
            DeliveryKind.PULL,
            dict(tmall, modified=later, status="WAIT_BUYER_CONFIRM_GOODS"),
        ),
        (
            ChannelKind.JD,
            f"2871440012@{modified}",
            DeliveryKind.PULL,
            samples.jd(2_871_440_012, li, [("JD-" + second, 1, "56.00")], modified=modified),
        ),
        (
            ChannelKind.JD,
            f"2871440013@{later}",
            DeliveryKind.PULL,
            samples.jd(2_871_440_013, chen, [("JD-GIFTBOX-2027", 1, "368.00")], modified=later),
        ),
        (
            ChannelKind.PINDUODUO,
            f"261130-458800001@{modified}",
            DeliveryKind.PULL,
            samples.pinduoduo(
                "261130-458800001", chen, [("PDD-" + first, 2, "179.00")], modified=modified
            ),
        ),
    )
    moments = {}
    for index, (kind, delivery_id, how, payload) in enumerate(deliveries):
        stored = inbound.delivery_store(channels[kind], delivery_id, how, payload)
        if stored.created:
            inbound.delivery_process(delivery_id=stored.delivery.pk)
            moments[stored.delivery.pk] = context.now - timedelta(hours=20 - 2 * index)
    backdate(InboundDelivery, "received_at", moments)
    context.say(f"{InboundDelivery.objects.count()} inbound deliveries")
