"""After-sales pages: each part of the app adds its patterns here."""

from django.urls import path

from aftersales import feedback_views

app_name = "aftersales"
urlpatterns: list = [
    # Customer ratings (aftersales/feedback_views.py).
    path("ratings/", feedback_views.FeedbackListView.as_view(), name="feedback_list"),
    path("track/<str:token>/rating/", feedback_views.rating_view, name="track_rating"),
]
