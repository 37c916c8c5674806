from django.urls import path

from shipping.tracking import views

app_name = "shipping_tracking"
urlpatterns = [
    path("shipping/callbacks/<slug:code>/", views.CallbackView.as_view(), name="callback"),
]
