from django.urls import path

from billing import payment_views, statement_views, views
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
    *object_urls("payments/", "payment", payment_views, "Payment"),
    path(
        "customers/<int:pk>/apply-credit/",
        payment_views.CreditApplyView.as_view(),
        name="credit_apply",
    ),
    path(
        "credit-notes/<int:pk>/refund/",
        payment_views.RefundCreateView.as_view(),
        name="credit_note_refund",
    ),
]

urlpatterns += [
    *object_urls("cod-remittances/", "cod_remittance", statement_views, "CodRemittance"),
    path(
        "cod-remittances/import/",
        statement_views.CodRemittanceImportView.as_view(),
        name="cod_remittance_import",
    ),
    *object_urls("bank-statements/", "bank_statement", statement_views, "BankStatement"),
    path(
        "bank-statements/import/",
        statement_views.BankStatementImportView.as_view(),
        name="bank_statement_import",
    ),
    path(
        "bank-statements/lines/<int:pk>/confirm/",
        statement_views.BankLineConfirmView.as_view(),
        name="bank_line_confirm",
    ),
    path(
        "bank-statements/lines/<int:pk>/ignore/",
        statement_views.BankLineIgnoreView.as_view(),
        name="bank_line_ignore",
    ),
]
