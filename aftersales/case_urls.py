"""Complaint pages, spliced into aftersales/urls.py."""

from django.urls import path

from aftersales import case_views as views

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/new/", views.CaseCreateView.as_view(), name="case_create"),
    path("cases/<str:number>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<str:number>/note/", views.CaseNoteView.as_view(), name="case_note"),
    path("cases/<str:number>/status/", views.CaseStatusView.as_view(), name="case_status"),
    path("cases/<str:number>/assign/", views.CaseAssignView.as_view(), name="case_assign"),
    path("cases/<str:number>/attach/", views.CaseAttachView.as_view(), name="case_attach"),
    path(
        "cases/<str:number>/files/<int:pk>/",
        views.CaseAttachmentView.as_view(),
        name="case_attachment",
    ),
    path("trace/", views.LotTraceView.as_view(), name="lot_trace"),
    path("trace/recall/", views.RecallView.as_view(), name="lot_recall"),
]
