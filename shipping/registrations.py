"""What shipping adds to the kernel: pages, rights, sidebar, a panel on the order page,
search, references and demo data."""

from celery.schedules import crontab
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from oms.registry import (
    CodedText,
    Panel,
    SearchProvider,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_detail_panel,
    register_nav_item,
    register_reference_resolver,
    register_search,
    register_seeder,
    register_texts,
    register_urls,
)
from oms.roles import ROLES
from oms.tables import compact_table, table_card
from orders.notes import ORDER_NOTES
from shipping import selectors
from shipping.merge_seeders import seed_merge_demo
from shipping.merge_views import merge_panel, order_merge_panel
from shipping.merging import NOTE_LEFT, NOTE_MERGED, NOTE_UNMERGED
from shipping.panels import carrier_choice_panel
from shipping.seeders import seed_shipping_demo
from shipping.splitting import NOTE_SPLIT
from shipping.tables import ShipmentTable

register_urls("", "shipping.urls")

VIEW = {"shipping.view_shipment", "shipping.view_carrier"}
CARRIER_DESK = {"shipping.add_carrier", "shipping.change_carrier", "shipping.choose_carrier"}
WAREHOUSE_WORK = {
    "shipping.pick_shipment",
    "shipping.pack_shipment",
    "shipping.dispatch_shipment",
    "shipping.merge_shipment",
}
CARRIER_NEWS = {"shipping.track_shipment"}

# Everyone who sees orders sees how they ship; the warehouse picks, packs and dispatches, the
# logistics desk dispatches and records what carriers report.
grant_many({role: VIEW for role in ROLES})
grant_many(
    {
        "admin": WAREHOUSE_WORK | CARRIER_NEWS | CARRIER_DESK,
        "manager": CARRIER_DESK,
        "warehouse": WAREHOUSE_WORK,
        "logistics": {"shipping.dispatch_shipment", "shipping.merge_shipment"}
        | CARRIER_NEWS
        | CARRIER_DESK,
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
    _("Pack station"),
    "shipping:pack_station",
    "shipping.pack_shipment",
    "upc-scan",
    order=15,
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
register_audited_model("shipping.mergedparcel", _("Merged parcel"))
register_audited_model("shipping.carrier", _("Carrier"))
register_audited_model("shipping.carrierservice", _("Carrier service"))
register_audit_actions(
    {
        "shipment.create": _("Shipment created"),
        "shipment.status": _("Shipment status changed"),
        "shipment.carrier": _("Carrier chosen by the rules"),
        "shipment.carrier_override": _("Carrier chosen by staff"),
        "shipment.split": _("Shipment split"),
        "parcel.merge": _("Shipments merged into one parcel"),
        "parcel.unmerge": _("Merged parcel unmerged"),
        "parcel.leave": _("Shipment left its merged parcel"),
        "parcel.dispatch": _("Merged parcel dispatched"),
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

register_search(
    SearchProvider(
        _("Shipments"),
        "shipping.view_shipment",
        selectors.shipment_search,
        order=20,
    )
)

register_detail_panel(
    "shipping.shipment",
    Panel(
        "shipment-merge",
        "shipping/panels/merge.html",
        "shipping.view_shipment",
        merge_panel,
        order=5,
    ),
)

register_detail_panel(
    "orders.order",
    Panel(
        "order-merge",
        "shipping/panels/order_merge.html",
        "shipping.view_shipment",
        order_merge_panel,
        order=11,
    ),
)

# The order timeline's notes of what shipping did to the order's shipments.
register_texts(
    ORDER_NOTES,
    {
        NOTE_MERGED: CodedText(
            _("Ships in merged parcel %(parcel)s with %(orders)s."), params={"orders": "list"}
        ),
        NOTE_UNMERGED: CodedText(_("Merged parcel %(parcel)s unmerged: ships on its own again.")),
        NOTE_LEFT: CodedText(_("Shipment %(shipment)s left merged parcel %(parcel)s (cancelled).")),
        NOTE_SPLIT: CodedText(
            _("%(units)s units of shipment %(shipment)s moved to the new shipment %(new)s."),
            params={"units": "number"},
        ),
    },
)

register_reference_resolver("MP-", lambda number: reverse("shipping:parcel", args=[number]))
register_reference_resolver("SH-", lambda number: reverse("shipping:detail", args=[number]))

register_seeder(Seeder("shipping", seed_shipping_demo, depends_on=("orders",)))
register_seeder(Seeder("shipping-merge", seed_merge_demo, depends_on=("shipping",)))
