from django.urls import path

from shipping.tracking import views

app_name = "shipping_tracking"
urlpatterns = [
    path("shipping/callbacks/<slug:code>/", views.callback, name="callback"),
]
