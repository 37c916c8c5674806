from django.urls import path

from billing import margin_views, views
from oms.generic import object_urls

app_name = "billing"
urlpatterns = [
    *object_urls("invoices/", "invoice", views, "Invoice"),
    path("invoices/<int:pk>/issue/", views.InvoiceIssueView.as_view(), name="invoice_issue"),
    path("invoices/<int:pk>/credit/", views.InvoiceCreditView.as_view(), name="invoice_credit"),
    path("invoices/<int:pk>/print/", views.InvoicePrintView.as_view(), name="invoice_print"),
    *object_urls("credit-notes/", "credit_note", views, "CreditNote"),
    path(
        "credit-notes/<int:pk>/print/",
        views.CreditNotePrintView.as_view(),
        name="credit_note_print",
    ),
    path("margin/", margin_views.MarginReportView.as_view(), name="margin_report"),
]
