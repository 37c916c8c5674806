from django.urls import path

from billing import dunning_views as views

app_name = "reminders"
urlpatterns = [
    path("", views.ReminderListView.as_view(), name="list"),
    path("settings/", views.ReminderSettingsView.as_view(), name="settings"),
    path("customers/<int:pk>/pause/", views.PauseView.as_view(), name="pause"),
    path("customers/<int:pk>/resume/", views.ResumeView.as_view(), name="resume"),
    path("customers/<int:pk>/lift-hold/", views.LiftHoldView.as_view(), name="lift_hold"),
]
