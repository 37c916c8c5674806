from django.urls import path

from customers import fapiao, views
from oms.generic import object_urls

app_name = "customers"
urlpatterns = [
    *object_urls("", "", views, "Customer"),
    path("<int:pk>/notes/", views.CustomerNoteAddView.as_view(), name="note_add"),
    path("tiers/", views.TierThresholdsView.as_view(), name="tiers"),
    path("<int:pk>/credit/", views.CustomerCreditView.as_view(), name="credit"),
    path("<int:pk>/fapiao/", fapiao.CustomerFapiaoView.as_view(), name="fapiao"),
    path("<int:pk>/addresses/new/", views.AddressEditView.as_view(), name="address_create"),
    path(
        "<int:pk>/addresses/<int:address_pk>/edit/",
        views.AddressEditView.as_view(),
        name="address_edit",
    ),
]
