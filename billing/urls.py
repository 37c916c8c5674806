from django.urls import path

from billing import views
from billing.batch_export_views import InvoiceBatchView
from oms.generic import object_urls

app_name = "billing"
urlpatterns = [
    *object_urls("invoices/", "invoice", views, "Invoice"),
    path("invoices/print/", InvoiceBatchView.as_view(), name="invoice_batch"),
    path("invoices/<int:pk>/issue/", views.InvoiceIssueView.as_view(), name="invoice_issue"),
    path("invoices/<int:pk>/credit/", views.InvoiceCreditView.as_view(), name="invoice_credit"),
    path("invoices/<int:pk>/print/", views.InvoicePrintView.as_view(), name="invoice_print"),
    *object_urls("credit-notes/", "credit_note", views, "CreditNote"),
    path(
        "credit-notes/<int:pk>/print/",
        views.CreditNotePrintView.as_view(),
        name="credit_note_print",
    ),
]
