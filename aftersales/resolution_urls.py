"""The resolution of a return: a POST-only action on the return page."""

from django.urls import path

from aftersales import resolution_views

app_name = "aftersales_resolutions"
urlpatterns = [
    path(
        "returns/<str:reference>/resolve/",
        resolution_views.ReturnResolveView.as_view(),
        name="return_resolve",
    ),
]
