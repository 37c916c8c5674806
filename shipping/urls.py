from django.urls import path

from oms.generic import object_urls
from shipping import desk_views, views

app_name = "shipping"
urlpatterns = [
    path("shipments/", views.ShipmentListView.as_view(), name="list"),
    path("shipments/wave/", views.WaveView.as_view(), name="wave"),
    path("shipments/wave/pick-list/", views.WavePickListView.as_view(), name="wave_pick_list"),
    path("shipments/attention/", desk_views.AttentionListView.as_view(), name="attention"),
    path("shipments/<str:number>/", views.ShipmentDetailView.as_view(), name="detail"),
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
