"""Return (RMA) pages; spliced into aftersales/urls.py."""

from django.urls import path

from aftersales import return_public_views
from aftersales import return_views as views

# <reference>: the RMA number (RMA-2026-000001) or, before approval, the return's id.
urlpatterns = [
    path("returns/", views.ReturnListView.as_view(), name="return_list"),
    path("returns/new/", views.ReturnCreateView.as_view(), name="return_create"),
    path("returns/<str:reference>/", views.ReturnDetailView.as_view(), name="return_detail"),
    path("returns/<str:reference>/approve/", views.ApproveView.as_view(), name="return_approve"),
    path("returns/<str:reference>/reject/", views.RejectView.as_view(), name="return_reject"),
    path("returns/<str:reference>/cancel/", views.CancelView.as_view(), name="return_cancel"),
    path("returns/<str:reference>/shipment/", views.ShipmentView.as_view(), name="return_shipment"),
    path("returns/<str:reference>/receive/", views.ReceiveView.as_view(), name="return_receive"),
    path(
        "returns/<str:reference>/lines/<int:line>/inspect/",
        views.InspectView.as_view(),
        name="return_inspect",
    ),
    path(
        "returns/<str:reference>/photos/<int:photo>/",
        views.ReturnPhotoView.as_view(),
        name="return_photo",
    ),
    path("returns/<str:reference>/label/", views.ReturnLabelView.as_view(), name="return_label"),
    path("track/<str:token>/return/", return_public_views.public_return, name="public_return"),
]
