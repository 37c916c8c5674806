from django.urls import path

from billing import (
    margin_views,
    payment_views,
    public_page,
    receivable_views,
    remittance_views,
    schedule_views,
    statement_views,
    views,
)
from billing.batch_export_views import InvoiceBatchView
from oms.generic import object_urls

app_name = "billing"
urlpatterns = [
    # The customer's documents, through the order page's token (billing/public_page.py).
    path(
        "track/<str:token>/invoices/<str:number>.pdf",
        public_page.track_document,
        name="track_document",
    ),
    *object_urls("invoices/", "invoice", views, "Invoice"),
    path("invoices/print/", InvoiceBatchView.as_view(), name="invoice_batch"),
    path("invoices/<int:pk>/issue/", views.InvoiceIssueView.as_view(), name="invoice_issue"),
    path("invoices/<int:pk>/credit/", views.InvoiceCreditView.as_view(), name="invoice_credit"),
    path("invoices/<int:pk>/print/", views.InvoicePrintView.as_view(), name="invoice_print"),
    path(
        "invoices/<int:pk>/installments/",
        schedule_views.InvoiceScheduleView.as_view(),
        name="invoice_schedule",
    ),
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
    *object_urls("cod-remittances/", "cod_remittance", remittance_views, "CodRemittance"),
    path(
        "cod-remittances/import/",
        remittance_views.CodRemittanceImportView.as_view(),
        name="cod_remittance_import",
    ),
    *object_urls("bank-statements/", "bank_statement", remittance_views, "BankStatement"),
    path(
        "bank-statements/import/",
        remittance_views.BankStatementImportView.as_view(),
        name="bank_statement_import",
    ),
    path(
        "bank-statements/lines/<int:pk>/confirm/",
        remittance_views.BankLineConfirmView.as_view(),
        name="bank_line_confirm",
    ),
    path(
        "bank-statements/lines/<int:pk>/ignore/",
        remittance_views.BankLineIgnoreView.as_view(),
        name="bank_line_ignore",
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
    path("margin/", margin_views.MarginReportView.as_view(), name="margin_report"),
]
