from django.urls import path

from oms.generic import object_urls
from shipping import (
    desk_views,
    merge_views,
    pack_views,
    pickup_views,
    public_delivery,
    public_lookup,
    public_views,
    slot_views,
    views,
)
from shipping.batch_print_views import BatchPrintView

app_name = "shipping"
urlpatterns = [
    path("shipments/", views.ShipmentListView.as_view(), name="list"),
    # The customer's order page: no sign-in, the token is the right (shipping/public_views.py).
    path("track/", public_lookup.order_lookup, name="track_lookup"),
    path("track/<str:token>/", public_views.track_order, name="track"),
    path(
        "track/<str:token>/delivery-time/",
        public_delivery.delivery_time_view,
        name="track_delivery_time",
    ),
    path(
        "track/<str:token>/delivery-note/",
        public_delivery.delivery_note_view,
        name="track_delivery_note",
    ),
    path("shipments/print/", BatchPrintView.as_view(), name="batch_print"),
    path("shipments/wave/", views.WaveView.as_view(), name="wave"),
    path("shipments/wave/pick-list/", views.WavePickListView.as_view(), name="wave_pick_list"),
    path("shipments/attention/", desk_views.AttentionListView.as_view(), name="attention"),
    path("shipments/<str:number>/", views.ShipmentDetailView.as_view(), name="detail"),
    path("shipments/<str:number>/merge/", merge_views.ShipmentMergeView.as_view(), name="merge"),
    path("shipments/<str:number>/split/", merge_views.ShipmentSplitView.as_view(), name="split"),
    path("parcels/<str:number>/", merge_views.ParcelDetailView.as_view(), name="parcel"),
    path(
        "parcels/<str:number>/unmerge/",
        merge_views.ParcelUnmergeView.as_view(),
        name="parcel_unmerge",
    ),
    path(
        "parcels/<str:number>/dispatch/",
        merge_views.ParcelDispatchView.as_view(),
        name="parcel_dispatch",
    ),
    path("parcels/<str:number>/label/", merge_views.ParcelLabelView.as_view(), name="parcel_label"),
    path("pack-station/", pack_views.PackStationView.as_view(), name="pack_station"),
    path(
        "pack-station/<str:number>/",
        pack_views.PackShipmentView.as_view(),
        name="pack_station_shipment",
    ),
    path(
        "pack-station/<str:number>/reset/",
        pack_views.PackResetView.as_view(),
        name="pack_station_reset",
    ),
    path(
        "shipments/<str:number>/start-picking/",
        views.StartPickingView.as_view(),
        name="start_picking",
    ),
    path("shipments/<str:number>/pack/", views.PackView.as_view(), name="pack"),
    path("shipments/<str:number>/dispatch/", views.DispatchView.as_view(), name="dispatch"),
    path("shipments/<str:number>/progress/", views.ProgressView.as_view(), name="progress"),
    path(
        "shipments/<str:number>/documents/<str:kind>/",
        views.ShipmentDocumentView.as_view(),
        name="document",
    ),
    path("shipments/<str:number>/carrier/", views.ShipmentCarrierView.as_view(), name="carrier"),
    path(
        "shipments/<str:number>/pickup-code/",
        pickup_views.PickupCodeResendView.as_view(),
        name="pickup_code_resend",
    ),
    # Delivery slots
    *object_urls(
        "delivery-slots/patterns/",
        "slot_pattern",
        slot_views,
        "SlotPattern",
        edit_route="<int:pk>/",
    ),
    path("delivery-slots/plan/", slot_views.DispatchPlanView.as_view(), name="dispatch_plan"),
    path(
        "delivery-slots/plan/print/",
        slot_views.DispatchPlanPrintView.as_view(),
        name="dispatch_plan_print",
    ),
    path(
        "delivery-slots/plan/close-day/",
        slot_views.DeliveryDayCloseView.as_view(),
        name="delivery_day_close",
    ),
    path(
        "delivery-slots/plan/open-day/",
        slot_views.DeliveryDayOpenView.as_view(),
        name="delivery_day_open",
    ),
    path(
        "delivery-slots/plan/capacity/",
        slot_views.SlotCapacityView.as_view(),
        name="delivery_slot_capacity",
    ),
    path(
        "delivery/orders/<str:number>/slot/", slot_views.OrderSlotView.as_view(), name="order_slot"
    ),
    path(
        "delivery/orders/<str:number>/slot/book/",
        slot_views.OrderSlotBookView.as_view(),
        name="order_slot_book",
    ),
    path(
        "delivery/orders/<str:number>/slot/release/",
        slot_views.OrderSlotReleaseView.as_view(),
        name="order_slot_release",
    ),
    path(
        "delivery/orders/<str:number>/pickup/",
        pickup_views.OrderPickupView.as_view(),
        name="order_pickup",
    ),
    # Store pickup
    *object_urls(
        "pickup-points/", "pickup_point", pickup_views, "PickupPoint", edit_route="<int:pk>/"
    ),
    path("pickup-desk/", pickup_views.PickupDeskView.as_view(), name="pickup_desk"),
    path("shipments/<str:number>/contact/", desk_views.ContactView.as_view(), name="contact"),
    path(
        "shipments/<str:number>/redispatch/",
        desk_views.RedispatchView.as_view(),
        name="redispatch",
    ),
    path(
        "shipments/<str:number>/return/receive/",
        desk_views.ReceiveReturnView.as_view(),
        name="return_receive",
    ),
    path(
        "shipments/<str:number>/return/reship/",
        desk_views.ReshipReturnView.as_view(),
        name="return_reship",
    ),
    path(
        "shipments/<str:number>/return/close/",
        desk_views.CloseReturnView.as_view(),
        name="return_close",
    ),
    *object_urls("carriers/", "carrier", views, "Carrier"),
    path(
        "carriers/<int:pk>/services/new/",
        views.CarrierServiceEditView.as_view(),
        name="carrier_service_create",
    ),
    path(
        "carriers/<int:pk>/services/<int:service_pk>/edit/",
        views.CarrierServiceEditView.as_view(),
        name="carrier_service_edit",
    ),
    path("carriers/<int:pk>/rates/import/", views.RateImportView.as_view(), name="rate_import"),
    path("carriers/rates/", desk_views.RateListView.as_view(), name="carrier_rates"),
]
