from django.urls import path

from billing import receivable_views, statement_views, views
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
    path("receivables/", receivable_views.ReceivableListView.as_view(), name="receivable_list"),
    path(
        "receivables/<int:pk>/",
        receivable_views.ReceivableCustomerView.as_view(),
        name="receivable_customer",
    ),
    path(
        "receivables/<int:pk>/statement/",
        statement_views.StatementView.as_view(),
        name="statement",
    ),
    path(
        "receivables/statements/",
        statement_views.StatementBatchView.as_view(),
        name="statement_batch",
    ),
]
