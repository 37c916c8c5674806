"""What shipping adds to the kernel: pages, rights, sidebar, a panel on the order page,
search, references, demo data and the carrier simulator `make run` starts."""

from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from oms.filejobs import register_file_job_kind
from oms.registry import (
    Panel,
    SearchProvider,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_detail_panel,
    register_message_event,
    register_nav_item,
    register_process,
    register_reference_resolver,
    register_search,
    register_secret_path,
    register_seeder,
    register_urls,
)
from oms.roles import ROLES
from oms.tables import compact_table, table_card
from shipping import selectors
from shipping.batch_print import DOCUMENT_BATCH
from shipping.message_seeders import seed_shipment_messages
from shipping.messages import SHIPMENT_MESSAGES
from shipping.order_page import customer_link_panel
from shipping.panels import carrier_choice_panel
from shipping.seeders import seed_shipping_demo
from shipping.simulator_seeders import seed_tracking_subscriptions
from shipping.tracking import registrations as tracking_registrations  # noqa: F401
from shipping.tracking.selectors import with_latest_tracking
from shipping.tracking.tables import TrackedShipmentTable

register_urls("", "shipping.urls")
# The customer's order page: its token never reaches a log line.
register_secret_path("/track/")
register_file_job_kind(DOCUMENT_BATCH)

VIEW = {"shipping.view_shipment", "shipping.view_carrier"}
CARRIER_DESK = {"shipping.add_carrier", "shipping.change_carrier", "shipping.choose_carrier"}
WAREHOUSE_WORK = {"shipping.pick_shipment", "shipping.pack_shipment", "shipping.dispatch_shipment"}
CARRIER_NEWS = {"shipping.track_shipment"}

# Everyone who sees orders sees how they ship; the warehouse picks, packs and dispatches, the
# logistics desk dispatches and records what carriers report.
grant_many({role: VIEW for role in ROLES})
grant_many(
    {
        "admin": WAREHOUSE_WORK | CARRIER_NEWS | CARRIER_DESK,
        "manager": CARRIER_DESK,
        "warehouse": WAREHOUSE_WORK,
        "logistics": {"shipping.dispatch_shipment"} | CARRIER_NEWS | CARRIER_DESK,
    }
)

register_nav_item(
    "warehouse", _("Shipments"), "shipping:list", "shipping.view_shipment", "truck", order=15
)
register_nav_item(
    "warehouse", _("Pick wave"), "shipping:wave", "shipping.pick_shipment", "list-check", order=14
)

register_nav_item(
    "warehouse",
    _("Carriers"),
    "shipping:carrier_list",
    "shipping.view_carrier",
    "signpost",
    order=16,
)

register_audited_model("shipping.shipment", _("Shipment"))
register_audited_model("shipping.carrier", _("Carrier"))
register_audited_model("shipping.carrierservice", _("Carrier service"))
register_audit_actions(
    {
        "shipment.create": _("Shipment created"),
        "shipment.status": _("Shipment status changed"),
        "shipment.carrier": _("Carrier chosen by the rules"),
        "shipment.carrier_override": _("Carrier chosen by staff"),
        "carrier.create": _("Carrier created"),
        "carrier.update": _("Carrier changed"),
        "carrier.rates_import": _("Rate card imported"),
        "carrier_service.create": _("Carrier service created"),
        "carrier_service.update": _("Carrier service changed"),
    }
)

register_beat_job(
    "fulfilment-check",
    "shipping.tasks.check_fulfilment",
    crontab(hour=2, minute=50),
    expires=3600,
)

register_detail_panel(
    "orders.order",
    Panel(
        "order-shipments",
        "oms/panels/table.html",
        "shipping.view_shipment",
        lambda request, order: (
            table_card(
                _("Shipments"),
                compact_table(
                    TrackedShipmentTable,
                    with_latest_tracking(selectors.order_shipments(order.pk)),
                    columns=(
                        "number",
                        "warehouse",
                        "status",
                        "carrier",
                        "tracking_number",
                        "tracking",
                        "expected_delivery_date",
                        "dispatched_at",
                    ),
                ),
                reverse("shipping:list") + "?" + urlencode({"q": order.number}),
            )
            if order.expects_allocation or order.status == "cancelled"
            else None
        ),
        order=10,
    ),
)

register_detail_panel(
    "orders.order",
    Panel(
        "order-customer-link",
        "shipping/panels/customer_link.html",
        "orders.manage_customer_link",
        customer_link_panel,
        width="col-lg-6",
        order=20,
    ),
)

register_detail_panel(
    "shipping.shipment",
    Panel(
        "shipment-carrier-choice",
        "shipping/panels/carrier_choice.html",
        "shipping.view_shipment",
        carrier_choice_panel,
        order=10,
    ),
)

register_search(
    SearchProvider(
        _("Shipments"),
        "shipping.view_shipment",
        selectors.shipment_search,
        order=20,
    )
)

register_reference_resolver("SH-", lambda number: reverse("shipping:detail", args=[number]))

for event in SHIPMENT_MESSAGES.values():
    register_message_event(event)

register_seeder(Seeder("shipping", seed_shipping_demo, depends_on=("orders",)))
register_seeder(Seeder("shipping-messages", seed_shipment_messages, depends_on=("shipping",)))
register_seeder(Seeder("tracking", seed_tracking_subscriptions, depends_on=("shipping",)))

# `make run` keeps the local carrier simulator running beside the OMS (development).
register_process(
    "carrier-simulator",
    ["carrier_simulator"],
    enabled=lambda: settings.OMS_CARRIER_SIMULATOR_RUN,
)
