"""The marketplace simulator, over real HTTP: its Taobao/JD/Pinduoduo pages are pulled by
cursor (late updates place nothing twice), and its signed webhooks reach our endpoint, the
duplicates and bad signatures included."""

import pytest

from orders.choices import ChannelKind
from orders.intake import inbound
from orders.intake.inbound_models import DeliveryStatus, InboundDelivery
from orders.intake.simulator import MarketplaceSimulator, Shop, SimulatorConfig
from orders.models import Order
from tests.orders.conftest import Catalog
from tests.orders.test_inbound import SECRET, channel, process_all

SKUS = ["TEA-LJ-250", "CUP-01"]


@pytest.fixture
def simulator():
    running = MarketplaceSimulator(
        SimulatorConfig(skus=SKUS, seconds=0, unknown_sku_share=0, late_update_share=0)
    )
    running.start()
    yield running
    running.stop()


@pytest.mark.django_db
def test_marketplace_pages_are_pulled_and_late_updates_take_no_second_order(simulator):
    catalog = Catalog()
    for sku in SKUS:
        catalog.product(sku=sku)
    stores = {
        name: channel(f"{name}-sim", kind, endpoint=f"{simulator.url}/{name}/orders")
        for name, kind in (
            ("taobao", ChannelKind.TAOBAO),
            ("jd", ChannelKind.JD),
            ("pinduoduo", ChannelKind.PINDUODUO),
        )
    }
    for name in stores:
        for _ in range(3):
            simulator.add_marketplace_order(name)
    for store in stores.values():
        assert inbound.channel_pull(channel=store).stored == 3
    process_all()
    assert Order.objects.count() == 9
    simulator.config.late_update_share = 1.0
    late = simulator.add_marketplace_order("jd")
    late["modified"] = "2099-01-01 00:00:00"  # surely after the cursor
    assert inbound.channel_pull(channel=stores["jd"]).stored == 1
    process_all()
    assert Order.objects.count() == 9
    assert InboundDelivery.objects.filter(error_code="duplicate").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simulated_webhooks_with_duplicates_and_bad_signatures(simulator, live_server):
    catalog = Catalog()
    for sku in SKUS:
        catalog.product(sku=sku)
    shopify = channel("shopify-sim", ChannelKind.SHOPIFY)
    woo = channel("woo-sim", ChannelKind.WOOCOMMERCE)
    simulator.config.duplicate_share = 1.0
    for shop in (shopify, woo):
        target = Shop(shop.kind, f"{live_server.url}/intake/{shop.code}/webhook/", SECRET)
        assert simulator.send_webhook(target) == [202, 200]  # sent twice: stored once
    simulator.config.duplicate_share = 0
    simulator.config.bad_signature_share = 1.0
    bad = Shop("shopify", f"{live_server.url}/intake/{shopify.code}/webhook/", SECRET)
    assert simulator.send_webhook(bad) == [401]
    assert InboundDelivery.objects.count() == 2
    process_all()
    assert set(InboundDelivery.objects.values_list("status", flat=True)) == {
        DeliveryStatus.PROCESSED
    }
    assert Order.objects.count() == 2


@pytest.mark.django_db
def test_the_command_finds_the_channels_that_point_at_the_simulator(settings):
    from orders.intake.inbound import sku_map
    from orders.management.commands.marketplace_simulator import shops_and_skus

    settings.OMS_MARKETPLACE_SIMULATOR_URL = "http://127.0.0.1:30999"
    settings.OMS_CALLBACK_BASE_URL = "http://127.0.0.1:8000"
    lamp = Catalog().product(sku="CL-3001")
    channel("shopify-demo", ChannelKind.SHOPIFY, endpoint="http://127.0.0.1:30999/shopify")
    tmall = channel(
        "tmall-demo", ChannelKind.TAOBAO, endpoint="http://127.0.0.1:30999/taobao/orders"
    )
    channel("real-shop", ChannelKind.SHOPIFY, endpoint="https://shop.example.cn/")
    sku_map(actor=None, channel=tmall, platform_sku="TM-CL-3001", product=lamp)
    shops, skus, platform_skus = shops_and_skus(settings.OMS_MARKETPLACE_SIMULATOR_URL)
    assert shops == [Shop("shopify", "http://127.0.0.1:8000/intake/shopify-demo/webhook/", SECRET)]
    assert skus == ["CL-3001"]
    assert platform_skus == {"taobao": ["TM-CL-3001"]}
