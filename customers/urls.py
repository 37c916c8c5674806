from django.urls import path

from customers import views

app_name = "customers"
urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("new/", views.CustomerCreateView.as_view(), name="create"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="edit"),
    path("<int:pk>/addresses/new/", views.AddressEditView.as_view(), name="address_create"),
    path(
        "<int:pk>/addresses/<int:address_pk>/edit/",
        views.AddressEditView.as_view(),
        name="address_edit",
    ),
]
