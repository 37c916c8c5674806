"""After-sales pages: each part of the app adds its patterns here."""

from django.urls import path

from aftersales import case_urls, feedback_views
from aftersales.return_urls import urlpatterns as return_patterns

app_name = "aftersales"
urlpatterns: list = [
    *return_patterns,
    *case_urls.urlpatterns,
    # Customer ratings (aftersales/feedback_views.py).
    path("ratings/", feedback_views.FeedbackListView.as_view(), name="feedback_list"),
    path("track/<str:token>/rating/", feedback_views.rating_view, name="track_rating"),
]
