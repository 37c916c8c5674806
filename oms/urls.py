from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from oms import import_pages, views
from oms.api import build_api
from oms.forms import SignInForm
from oms.registry import registry

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("search/", views.GlobalSearchView.as_view(), name="search"),
    path("audit/", views.AuditLogView.as_view(), name="audit_log"),
    path("messages/", views.MessageListView.as_view(), name="message_list"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/set/", views.CalendarDaySetView.as_view(), name="calendar_day_set"),
    path(
        "message-templates/", views.MessageTemplateListView.as_view(), name="message_template_list"
    ),
    path(
        "message-templates/<int:pk>/edit/",
        views.MessageTemplateEditView.as_view(),
        name="message_template_edit",
    ),
    path(
        "message-templates/<int:pk>/reset/",
        views.MessageTemplateResetView.as_view(),
        name="message_template_reset",
    ),
    path("files/<uuid:pk>/", views.FileJobStatusView.as_view(), name="file_job"),
    path(
        "files/<uuid:pk>/download/", views.FileJobDownloadView.as_view(), name="file_job_download"
    ),
    path("imports/", import_pages.ImportListView.as_view(), name="import_list"),
    path("imports/new/", import_pages.ImportNewView.as_view(), name="import_new"),
    path("imports/template/", import_pages.ImportTemplateView.as_view(), name="import_template"),
    path("imports/<uuid:pk>/", import_pages.ImportJobView.as_view(), name="import_job"),
    path(
        "imports/<uuid:pk>/import/", import_pages.ImportCommitView.as_view(), name="import_commit"
    ),
    path(
        "imports/<uuid:pk>/errors.csv",
        import_pages.ImportErrorsView.as_view(),
        name="import_errors",
    ),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    # The channel API: the routers the apps registered (oms.api).
    path("api/v1/", build_api().urls),
]
# Each app mounts its own URL module (its registrations.py).
urlpatterns += [path(prefix, include(module)) for prefix, module in registry.url_modules]
