"""What shipping adds to the kernel: pages, rights, sidebar, a panel on the order page,
search, references and demo data."""

from celery.schedules import crontab
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from oms.registry import (
    Kpi,
    KpiValue,
    Panel,
    SearchProvider,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_detail_panel,
    register_kpi,
    register_nav_item,
    register_reference_resolver,
    register_search,
    register_seeder,
    register_urls,
)
from oms.roles import ROLES
from oms.tables import compact_table, table_card
from shipping import attention, selectors
from shipping.desk_panels import attention_panel, return_panel
from shipping.desk_seeders import seed_desk
from shipping.panels import carrier_choice_panel
from shipping.seeders import seed_shipping_demo
from shipping.tables import ShipmentTable

register_urls("", "shipping.urls")

VIEW = {"shipping.view_shipment", "shipping.view_carrier"}
CARRIER_DESK = {"shipping.add_carrier", "shipping.change_carrier", "shipping.choose_carrier"}
WAREHOUSE_WORK = {"shipping.pick_shipment", "shipping.pack_shipment", "shipping.dispatch_shipment"}
CARRIER_NEWS = {"shipping.track_shipment"}
RETURNS_IN = {"shipping.receive_return"}
RETURNS_DECIDE = {"shipping.resolve_return"}

# Everyone who sees orders sees how they ship; the warehouse picks, packs and dispatches, the
# logistics desk dispatches and records what carriers report.
grant_many({role: VIEW for role in ROLES})
grant_many(
    {
        "admin": WAREHOUSE_WORK | CARRIER_NEWS | CARRIER_DESK | RETURNS_IN | RETURNS_DECIDE,
        "manager": CARRIER_DESK | RETURNS_DECIDE,
        # The warehouse books returned parcels back in; the desk decides what becomes of them.
        "warehouse": WAREHOUSE_WORK | RETURNS_IN,
        "logistics": {"shipping.dispatch_shipment"}
        | CARRIER_NEWS
        | CARRIER_DESK
        | RETURNS_IN
        | RETURNS_DECIDE,
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
    _("Exceptions queue"),
    "shipping:attention",
    attention.TRACK_PERMISSION,
    "exclamation-triangle",
    order=17,
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
        "shipment.contact": _("Contact recorded on a shipment"),
        "shipment.redispatch": _("Shipment handed to a carrier again"),
        "shipment.return_received": _("Returned parcel booked back in"),
        "shipment.return_reshipped": _("Returned goods sent again"),
        "shipment.return_closed": _("Returned goods not sent again"),
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
                    ShipmentTable,
                    selectors.order_shipments(order.pk),
                    columns=(
                        "number",
                        "warehouse",
                        "status",
                        "carrier",
                        "tracking_number",
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
    "shipping.shipment",
    Panel(
        "shipment-carrier-choice",
        "shipping/panels/carrier_choice.html",
        "shipping.view_shipment",
        carrier_choice_panel,
        order=10,
    ),
)

register_detail_panel(
    "shipping.shipment",
    Panel("shipment-return", "shipping/panels/return.html", "shipping.view_shipment", return_panel),
)
register_detail_panel(
    "shipping.shipment",
    Panel(
        "shipment-attention",
        "shipping/panels/attention.html",
        "shipping.view_shipment",
        attention_panel,
        order=5,
    ),
)


def _needing_attention(user) -> KpiValue:
    count = attention.attention_count(user)
    return KpiValue(
        _("Shipments needing attention"),
        count,
        url=reverse("shipping:attention"),
        warn=count > 0,
    )


register_kpi(Kpi("shipments-attention", attention.TRACK_PERMISSION, _needing_attention, order=50))

register_search(
    SearchProvider(
        _("Shipments"),
        "shipping.view_shipment",
        selectors.shipment_search,
        order=20,
    )
)

register_reference_resolver("SH-", lambda number: reverse("shipping:detail", args=[number]))

register_seeder(Seeder("shipping", seed_shipping_demo, depends_on=("orders",)))
register_seeder(Seeder("shipping-desk", seed_desk, depends_on=("shipping",)))
