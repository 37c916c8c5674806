"""What shipping adds to the kernel: pages, rights, sidebar, a panel on the order page,
search, references, demo data and the carrier simulator `make run` starts."""

from celery.schedules import crontab
from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from oms.filejobs import register_file_job_kind
from oms.registry import (
    CodedText,
    Kpi,
    KpiValue,
    Panel,
    PublicSection,
    SearchProvider,
    Seeder,
    grant_many,
    register_api_router,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_customer_link,
    register_detail_panel,
    register_kpi,
    register_message_event,
    register_nav_item,
    register_process,
    register_public_order_section,
    register_reference_resolver,
    register_search,
    register_secret_path,
    register_seeder,
    register_texts,
    register_urls,
)
from oms.roles import ROLES
from oms.tables import compact_table, table_card
from orders.notes import ORDER_NOTES
from shipping import attention, selectors
from shipping.api import router as shipments_api
from shipping.batch_print import DOCUMENT_BATCH
from shipping.channel_event_seeders import seed_channel_webhooks
from shipping.delivery_seeders import seed_delivery_demo
from shipping.desk_panels import attention_panel, return_panel
from shipping.desk_seeders import seed_desk
from shipping.merge_seeders import seed_merge_demo
from shipping.merge_views import merge_panel, order_merge_panel
from shipping.merging import NOTE_LEFT, NOTE_MERGED, NOTE_UNMERGED
from shipping.message_seeders import seed_shipment_messages
from shipping.messages import SHIPMENT_MESSAGES
from shipping.order_page import customer_link_panel, order_page_url
from shipping.panels import carrier_choice_panel, pickup_panel
from shipping.pickup_codes import READY_FOR_PICKUP_EVENT
from shipping.print_seeders import seed_batch_print
from shipping.public_delivery import delivery_section
from shipping.public_seeders import seed_customer_page_demo
from shipping.seeders import seed_shipping_demo
from shipping.simulator_seeders import seed_tracking_subscriptions
from shipping.slot_views import order_delivery_panel
from shipping.splitting import NOTE_SPLIT
from shipping.tracking import registrations as tracking_registrations  # noqa: F401
from shipping.tracking.selectors import with_latest_tracking
from shipping.tracking.tables import TrackedShipmentTable

register_urls("", "shipping.urls")
# The customer's order page: its token never reaches a log line.
register_secret_path("/track/")
# Shipping's own section of the customer's page, through the same registry as the others.
register_public_order_section(
    PublicSection(
        key="delivery",
        order=50,
        template="shipping/track/delivery_section.html",
        context=delivery_section,
        column="aside",
        saved_message=_("Thank you: your delivery details are saved."),
    )
)
register_file_job_kind(DOCUMENT_BATCH)

VIEW = {"shipping.view_shipment", "shipping.view_carrier"}
CARRIER_DESK = {"shipping.add_carrier", "shipping.change_carrier", "shipping.choose_carrier"}
WAREHOUSE_WORK = {
    "shipping.pick_shipment",
    "shipping.pack_shipment",
    "shipping.dispatch_shipment",
    "shipping.merge_shipment",
}
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
        "logistics": {"shipping.dispatch_shipment", "shipping.merge_shipment"}
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

# Delivery slots and store pickup: the warehouse and the logistics desk plan the slots and
# hand parcels over; whoever arranges an order's delivery books its slot or pickup point.
DELIVERY_VIEW = {"shipping.view_slotpattern", "shipping.view_deliveryslot"}
ARRANGE = {"shipping.arrange_delivery"}
PLAN = DELIVERY_VIEW | ARRANGE | {"shipping.plan_delivery_slots"}
POINTS = {"shipping.add_pickuppoint", "shipping.change_pickuppoint"}
DESK = {"shipping.hand_over_pickup"}
grant_many({role: {"shipping.view_pickuppoint"} for role in ROLES})
grant_many(
    {
        "admin": PLAN | POINTS | DESK,
        "manager": DELIVERY_VIEW | ARRANGE | POINTS,
        "sales": ARRANGE,
        "customer_service": ARRANGE,
        "warehouse": PLAN | DESK,
        "logistics": PLAN | POINTS | DESK,
    }
)
for label, url_name, permission, icon, order in (
    (_("Dispatch plan"), "shipping:dispatch_plan", "shipping.view_deliveryslot", "calendar3", 17),
    (_("Delivery slots"), "shipping:slot_pattern_list", "shipping.view_slotpattern", "clock", 18),
    (_("Pickup desk"), "shipping:pickup_desk", "shipping.hand_over_pickup", "upc-scan", 19),
    (_("Pickup points"), "shipping:pickup_point_list", "shipping.view_pickuppoint", "shop", 20),
):
    register_nav_item("warehouse", label, url_name, permission, icon, order=order)
register_message_event(READY_FOR_PICKUP_EVENT)
# Orders' messages (received, confirmed, waiting for stock) link the order page, which
# shipping serves: orders cannot import it.
register_customer_link("orders.order", order_page_url)
# What slot bookings and store pickup write on the order's timeline (orders' note family).
register_texts(
    "order_note",
    {
        "slot_booked": CodedText(
            _("Delivery slot %(date)s %(slot)s booked (from %(warehouse)s)."),
            params={"date": "date"},
        ),
        "slot_moved": CodedText(
            _("Delivery slot moved from %(before)s to %(date)s %(slot)s (from %(warehouse)s)."),
            params={"date": "date"},
        ),
        "slot_released": CodedText(
            _("Delivery slot %(date)s %(slot)s cancelled; the place is free again."),
            params={"date": "date"},
        ),
        "slot_freed_cancelled": CodedText(
            _("Delivery slot %(date)s %(slot)s freed: the goods will not ship from %(warehouse)s."),
            params={"date": "date"},
        ),
        "slot_freed_pickup": CodedText(
            _("Delivery slot %(date)s %(slot)s freed: the order is collected at a pickup point."),
            params={"date": "date"},
        ),
        "pickup_chosen": _("To be collected at %(point)s (store pickup)."),
        "pickup_dropped": _("No longer collected at %(point)s; a carrier delivers it."),
    },
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
register_audited_model("shipping.mergedparcel", _("Merged parcel"))
register_audited_model("shipping.carrier", _("Carrier"))
register_audited_model("shipping.carrierservice", _("Carrier service"))
register_audited_model("shipping.slotpattern", _("Delivery slot pattern"))
register_audited_model("shipping.pickuppoint", _("Pickup point"))
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
        "slot.book": _("Delivery slot booked"),
        "slot.release": _("Delivery slot freed"),
        "slot_pattern.create": _("Delivery slot pattern created"),
        "slot_pattern.update": _("Delivery slot pattern changed"),
        "delivery_day.set": _("Delivery day closed or opened"),
        "delivery_slot.capacity": _("Delivery slot capacity changed"),
        "pickup_point.create": _("Pickup point created"),
        "pickup_point.update": _("Pickup point changed"),
        "order.pickup": _("Store pickup chosen or dropped"),
        "shipment.pickup_code": _("New pickup code sent"),
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
    "orders.order",
    Panel(
        "order-delivery",
        "shipping/panels/order_delivery.html",
        "shipping.view_shipment",
        order_delivery_panel,
        order=9,
    ),
)

register_detail_panel(
    "shipping.shipment",
    Panel(
        "shipment-pickup",
        "shipping/panels/shipment_delivery.html",
        "shipping.view_shipment",
        pickup_panel,
        order=5,
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


def _overdue(user) -> KpiValue:
    count = attention.overdue_count(user)
    return KpiValue(
        _("Overdue shipments"),
        count,
        url=reverse("shipping:attention") + f"?reason={attention.Reason.LATE}",
        detail=_("past their expected delivery"),
        warn=count > 0,
    )


register_kpi(Kpi("shipments-overdue", attention.TRACK_PERMISSION, _overdue, order=51))

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
register_seeder(Seeder("delivery", seed_delivery_demo, depends_on=("shipping",)))
register_seeder(Seeder("customer-page", seed_customer_page_demo, depends_on=("delivery",)))
register_seeder(Seeder("shipping-merge", seed_merge_demo, depends_on=("shipping",)))
register_seeder(Seeder("shipping-desk", seed_desk, depends_on=("shipping",)))
register_seeder(
    Seeder("channel-webhooks", seed_channel_webhooks, depends_on=("shipping", "delivery"))
)
register_seeder(Seeder("shipping-print", seed_batch_print, depends_on=("shipping",)))

# The channel API: an order's shipments and tracking (shipping.api).
register_api_router("", shipments_api)
