"""What orders adds to the kernel: pages, rights, beat jobs, dashboard, panels, search, demo."""

from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from oms.imports import register_importer
from oms.registry import (
    DetailAction,
    Panel,
    SearchProvider,
    Seeder,
    grant_many,
    register_api_authenticator,
    register_api_router,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_dashboard_panel,
    register_detail_action,
    register_detail_panel,
    register_message_event,
    register_nav_item,
    register_process,
    register_reference_resolver,
    register_search,
    register_seeder,
    register_texts,
    register_urls,
)
from oms.roles import ROLES
from oms.tables import compact_table, table_card
from orders import customer_panels, selectors
from orders.intake.api import router as orders_api
from orders.intake.import_seeders import seed_orders_import_demo
from orders.intake.inbound_errors import ERROR_TEXTS, INBOUND_ERRORS
from orders.intake.order_import import OrderImporter
from orders.intake.products import ProductImporter
from orders.intake.seeders import seed_channel_api
from orders.intake.tokens import token_authenticate
from orders.message_seeders import seed_order_messages
from orders.messages import ORDER_MESSAGES
from orders.notes import NOTE_TEXTS, ORDER_NOTES
from orders.reasons import APPROVAL_REASONS, REASON_TEXTS
from orders.seeders import seed_orders_demo
from orders.seeders.inbound import seed_inbound_demo
from orders.services.rules import breaks_worded
from orders.tables import OrderTable

register_urls("", "orders.urls")

for _event in ORDER_MESSAGES:
    register_message_event(_event)

ORDER_DESK = {
    "orders.add_order",
    "orders.change_order",
    "orders.amend_order",
    "orders.cancel_order",
    "orders.hold_order",
    "orders.boost_order",
}
APPROVE = {"orders.approve_order"}
APPROVAL_RULES = {
    "orders.view_approvalrule",
    "orders.add_approvalrule",
    "orders.change_approvalrule",
}
# Price lists, promotions and shipping fee rules (orders/views/rules/); change covers
# activating and deactivating, nothing is deleted.
PRICING_RULES = {
    f"orders.{verb}_{model}"
    for model in ("pricelist", "promotion", "shippingrule")
    for verb in ("view", "add", "change")
}

CHANNELS = {f"orders.{verb}_channel" for verb in ("view", "add", "change")}
# The log of what was sent to channels, and sending a delivery again.
WEBHOOKS = {"orders.view_webhookdelivery", "orders.resend_webhookdelivery"}
# Inbound deliveries (webhooks, pulled marketplace orders) and platform SKU mappings.
INBOUND = {
    "orders.view_inbounddelivery",
    "orders.change_inbounddelivery",
    "orders.view_skumapping",
    "orders.add_skumapping",
}

grant_many({role: {"orders.view_order"} for role in ROLES})
grant_many(
    {
        "admin": ORDER_DESK
        | APPROVE
        | APPROVAL_RULES
        | PRICING_RULES
        | CHANNELS
        | WEBHOOKS
        | INBOUND
        | {"orders.start_picking"},
        "manager": ORDER_DESK
        | APPROVE
        | APPROVAL_RULES
        | PRICING_RULES
        | CHANNELS
        | WEBHOOKS
        | INBOUND,
        "sales": ORDER_DESK,
        "reviewer": APPROVE,
        "warehouse": {"orders.start_picking"},
        "finance": APPROVE | {"orders.hold_order"},
        "customer_service": {"orders.hold_order", "orders.cancel_order"},
    }
)
# Who talks to customers shares their order-page link, and regenerates or revokes it.
grant_many(
    {
        role: {"orders.manage_customer_link"}
        for role in ("admin", "manager", "sales", "customer_service")
    }
)

# The channel API: orders (create, read, changes, cancel); tokens are channels' (orders.intake).
register_api_router("", orders_api)
register_api_authenticator(token_authenticate)

register_nav_item("orders", _("Orders"), "orders:list", "orders.view_order", "receipt", order=10)
register_nav_item(
    "orders", _("New order"), "orders:create", "orders.add_order", "plus-square", order=20
)
register_nav_item(
    "orders",
    _("Awaiting my approval"),
    "orders:approvals",
    "orders.approve_order",
    "check2-square",
    order=30,
)
register_nav_item(
    "orders", _("Priority queue"), "orders:queue", "orders.view_order", "sort-down", order=40
)
register_nav_item(
    "settings", _("Sales channels"), "orders:channel_list", "orders.view_channel", "shop", order=3
)
register_nav_item(
    "orders",
    _("Inbound deliveries"),
    "orders:inbound_list",
    "orders.view_inbounddelivery",
    "inbox",
    order=50,
)
register_nav_item(
    "settings", _("Price lists"), "orders:price_list_list", "orders.view_pricelist", "tags", order=4
)
register_nav_item(
    "settings",
    _("Promotions"),
    "orders:promotion_list",
    "orders.view_promotion",
    "percent",
    order=6,
)
register_nav_item(
    "settings",
    _("Shipping fees"),
    "orders:shipping_rule_list",
    "orders.view_shippingrule",
    "truck",
    order=8,
)
register_nav_item(
    "settings",
    _("Approval rules"),
    "orders:approval_rule_list",
    "orders.view_approvalrule",
    "diagram-3",
    order=10,
)

register_audited_model("orders.channel", _("Channel"))
register_audited_model("orders.webhookdelivery", _("Webhook delivery"))
register_audited_model("orders.approvalrule", _("Approval rule"), money=("threshold",))
register_audited_model("orders.pricelist", _("Price list"), other_values=breaks_worded)
# A promotion's value is a percentage or an amount, depending on its kind: shown as a number.
register_audited_model("orders.promotion", _("Promotion"))
register_audited_model(
    "orders.shippingrule", _("Shipping fee rule"), money=("base_fee", "per_kg_fee", "free_above")
)
register_audit_actions(
    {
        "channel.create": _("Channel created"),
        "channel.update": _("Channel changed"),
        "channel.activate": _("Channel switched on"),
        "channel.deactivate": _("Channel switched off"),
        "channel.secret": _("Channel signing secret replaced"),
        "channel.token_create": _("API token created"),
        "channel.token_revoke": _("API token revoked"),
        "webhook.resend": _("Webhook queued again"),
        "platform_carrier.set": _("Carrier ids on a marketplace changed"),
        "inbound.retry": _("Inbound delivery sent to be processed again"),
        "inbound.sku_map": _("Platform SKU mapped to a product"),
        "approval_rule.create": _("Approval rule created"),
        "approval_rule.update": _("Approval rule changed"),
        "approval_rule.activate": _("Approval rule switched on"),
        "approval_rule.deactivate": _("Approval rule switched off"),
        "price_list.create": _("Price list created"),
        "price_list.update": _("Price list changed"),
        "price_list.activate": _("Price list activated"),
        "price_list.deactivate": _("Price list deactivated"),
        "price_list.prices": _("Prices changed"),
        "price_list.import": _("Prices imported"),
        "promotion.create": _("Promotion created"),
        "promotion.update": _("Promotion changed"),
        "promotion.activate": _("Promotion switched on"),
        "promotion.deactivate": _("Promotion switched off"),
        "shipping_rule.create": _("Shipping fee rule created"),
        "shipping_rule.update": _("Shipping fee rule changed"),
        "shipping_rule.activate": _("Shipping fee rule switched on"),
        "shipping_rule.deactivate": _("Shipping fee rule switched off"),
        "order.customer_link_create": _("Customer link created"),
        "order.customer_link_regenerate": _("Customer link replaced by a new one"),
        "order.customer_link_revoke": _("Customer link revoked"),
        "order.delivery_note": _("Delivery note changed"),
    }
)
# Timeline notes and approval reasons are stored as codes; these are their words.
register_texts(ORDER_NOTES, NOTE_TEXTS)
register_texts(APPROVAL_REASONS, REASON_TEXTS)
register_texts(INBOUND_ERRORS, ERROR_TEXTS)

register_beat_job(
    "order-priorities",
    "orders.tasks.refresh_priorities",
    crontab(hour=1, minute=0),
    expires=3600,
)
# A lost "stock arrived" task would otherwise leave back-orders waiting until the night;
# expires: a backlog of these runs is pointless, the next one does the same.
register_beat_job(
    "backorder-catch-up",
    "orders.tasks.offer_stock_to_backorders",
    crontab(minute="*/5"),
    expires=240,
)
# Webhooks and ship confirmations due (a lost task, a broker outage, a retry's backoff).
register_beat_job(
    "webhooks-catch-up",
    "orders.intake.outbound.webhooks_catch_up",
    crontab(minute="*"),
    expires=55,
)
register_beat_job(
    "reservation-check",
    "orders.tasks.check_reservations",
    crontab(hour=2, minute=45),
    expires=3600,
)

# Inbound deliveries (orders.intake.inbound): marketplace pulls, and the catch-up of stored
# webhooks and pulled orders no worker finished.
register_beat_job(
    "marketplace-pull", "orders.tasks.pull_marketplaces", crontab(minute="*"), expires=55
)
register_beat_job(
    "inbound-catch-up", "orders.tasks.catch_up_inbound", crontab(minute="*/5"), expires=240
)

# `make run` keeps the local marketplace simulator running beside the OMS (development).
register_process(
    "marketplace-simulator",
    ["marketplace_simulator"],
    enabled=lambda: settings.OMS_MARKETPLACE_SIMULATOR_RUN,
)

register_dashboard_panel(
    Panel(
        "order-backlog",
        "orders/panels/backlog.html",
        "orders.view_order",
        lambda request, obj: {"backlog": selectors.backlog_by_status(request.user)},
        order=10,
    )
)

register_detail_panel(
    "customers.customer",
    Panel(
        "customer-orders",
        "oms/panels/table.html",
        "orders.view_order",
        lambda request, customer: table_card(
            _("Order history"),
            compact_table(
                OrderTable,
                selectors.customer_recent_orders(customer.pk),
                columns=("number", "created_at", "status", "total"),
            ),
            reverse("orders:list") + "?" + urlencode({"customer": customer.code}),
        ),
        order=10,
    ),
)
register_detail_panel(
    "customers.customer",
    Panel(
        "customer-value",
        "orders/panels/customer_value.html",
        "orders.view_order",
        customer_panels.customer_value_panel,
        width="col-md-5 col-xl-4",
        order=5,
    ),
)
register_detail_panel(
    "customers.customer",
    Panel(
        "customer-backorders",
        "orders/panels/customer_backorders.html",
        "orders.view_order",
        customer_panels.customer_backorders_panel,
        width="col-md-7 col-xl-8",
        order=6,
    ),
)
register_detail_action(
    "customers.customer",
    DetailAction(
        _("New order"),
        "orders.add_order",
        lambda customer: reverse("orders:create") + "?" + urlencode({"customer": customer.code}),
        icon="plus-square",
        shown=lambda customer: customer.is_active and not customer.credit_hold,
    ),
)

register_search(SearchProvider(_("Orders"), "orders.view_order", selectors.order_search, order=10))

register_reference_resolver("SO-", lambda number: reverse("orders:detail", args=[number]))

register_seeder(Seeder("orders", seed_orders_demo, depends_on=("customers", "inventory")))
register_seeder(Seeder("order-messages", seed_order_messages, depends_on=("orders",)))
register_seeder(Seeder("channel-api", seed_channel_api, depends_on=("orders",)))
register_seeder(Seeder("inbound", seed_inbound_demo, depends_on=("orders",)))
register_seeder(Seeder("orders-import", seed_orders_import_demo, depends_on=("orders",), last=True))

# Sales analytics, dashboard charts, nightly summaries and customer segments.
import orders.analytics_registrations  # noqa: E402, F401

register_importer(ProductImporter())
register_importer(OrderImporter())
