"""Run the local marketplace simulator until Ctrl-C or SIGTERM.

`make run` starts it next to the web server when OMS_MARKETPLACE_SIMULATOR_RUN is on (in
development by default). It serves Taobao-, JD- and Pinduoduo-style order pages and posts
signed Shopify- and WooCommerce-style webhooks to the channels whose endpoint points at it
(seed_demo creates five such channels); see orders/intake/simulator.py."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from inventory.models import Product
from oms.localserver import host_and_port, wait_for_stop_signal
from orders.intake.adapters import WEBHOOK_KINDS
from orders.intake.inbound_models import SkuMapping
from orders.intake.models import Channel
from orders.intake.simulator import MarketplaceSimulator, Shop, SimulatorConfig


def share(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError(value)
    return number


def simulated_channels(base_url: str) -> list[Channel]:
    return list(
        Channel.objects.filter(is_active=True, endpoint__startswith=base_url.rstrip("/") + "/")
    )


def shops_and_skus(base_url: str) -> tuple[list[Shop], list[str], dict[str, list[str]]]:
    """The shops to post webhooks to, our SKUs, and each platform's own mapped SKUs."""
    channels = simulated_channels(base_url)
    shops = [
        Shop(
            kind=channel.kind,
            url=settings.OMS_CALLBACK_BASE_URL.rstrip("/")
            + reverse("orders:inbound_webhook", args=[channel.code]),
            secret=channel.secret,
        )
        for channel in channels
        if channel.kind in WEBHOOK_KINDS and channel.secret
    ]
    platform_skus: dict[str, list[str]] = {}
    for kind, platform_sku in SkuMapping.objects.filter(channel__in=channels).values_list(
        "channel__kind", "platform_sku"
    ):
        platform_skus.setdefault(kind, []).append(platform_sku)
    skus = list(
        Product.objects.filter(is_active=True, made_to_order=False)
        .order_by("sku")
        .values_list("sku", flat=True)[:20]
    )
    return shops, skus or ["SIM-UNKNOWN-0"], platform_skus


class Command(BaseCommand):
    help = (
        "Run the local marketplace simulator: Taobao/JD/Pinduoduo-style order pages by "
        "modified-time cursor, and signed Shopify/WooCommerce-style webhooks to our endpoints."
    )

    def add_arguments(self, parser):
        defaults = SimulatorConfig(skus=[])
        parser.add_argument(
            "--bind",
            default="",
            help="host:port (default: the host and port of OMS_MARKETPLACE_SIMULATOR_URL)",
        )
        parser.add_argument(
            "--seconds",
            type=float,
            default=settings.OMS_MARKETPLACE_SIMULATOR_SECONDS,
            help="about how often a new order appears (0: never)",
        )
        for name, value, what in (
            ("duplicate-share", defaults.duplicate_share, "webhooks sent twice"),
            ("late-update-share", defaults.late_update_share, "marketplace orders updated later"),
            ("bad-signature-share", defaults.bad_signature_share, "webhooks badly signed"),
            ("unknown-sku-share", defaults.unknown_sku_share, "orders with an unknown SKU"),
        ):
            parser.add_argument(f"--{name}", type=share, default=value, help=f"share of {what}")
        parser.add_argument("--seed", default="", help="another seed, other orders")

    def handle(self, *args, **options):
        base_url = settings.OMS_MARKETPLACE_SIMULATOR_URL
        host, port = self.address(options["bind"] or base_url)
        shops, skus, platform_skus = shops_and_skus(base_url)
        config = SimulatorConfig(
            skus=skus,
            platform_skus=platform_skus,
            shops=shops,
            seconds=max(0.0, options["seconds"]),
            duplicate_share=options["duplicate_share"],
            late_update_share=options["late_update_share"],
            bad_signature_share=options["bad_signature_share"],
            unknown_sku_share=options["unknown_sku_share"],
            seed=options["seed"],
        )
        logging.basicConfig(
            level=logging.DEBUG if options["verbosity"] > 1 else logging.INFO,
            format="marketplace %(levelname)s %(message)s",
        )
        try:
            simulator = MarketplaceSimulator(config, host, port)
        except OSError as error:
            raise CommandError(f"cannot listen on {host}:{port}: {error}") from None
        simulator.start()
        self.stdout.write(
            self.style.SUCCESS(
                f"Marketplace simulator at {simulator.url}: GET /taobao/orders, /jd/orders, "
                f"/pinduoduo/orders; webhooks to {len(shops)} shops; an order about every "
                f"{options['seconds']:g} s."
            )
        )

        def reread() -> None:
            config.shops, config.skus, config.platform_skus = shops_and_skus(base_url)

        # The shops may change (seed_demo run later): read them again every few minutes.
        wait_for_stop_signal(every=300, tick=reread)
        simulator.stop()
        self.stdout.write("Marketplace simulator stopped.")

    @staticmethod
    def address(value: str) -> tuple[str, int]:
        try:
            return host_and_port(value)
        except ValueError as error:
            raise CommandError(str(error)) from None
