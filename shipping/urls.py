from django.urls import path

from oms.generic import object_urls
from shipping import public_views, views
from shipping.batch_print_views import BatchPrintView

app_name = "shipping"
urlpatterns = [
    path("shipments/", views.ShipmentListView.as_view(), name="list"),
    # The customer's order page: no sign-in, the token is the right (shipping/public_views.py).
    path("track/<str:token>/", public_views.track_order, name="track"),
    path("shipments/print/", BatchPrintView.as_view(), name="batch_print"),
    path("shipments/wave/", views.WaveView.as_view(), name="wave"),
    path("shipments/wave/pick-list/", views.WavePickListView.as_view(), name="wave_pick_list"),
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
]
