"""What billing adds to the kernel: pages, rights, sidebar, the invoice chain on the order
page, references, the catch-up job and demo data."""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from billing.margin_views import order_margin_panel
from billing.models import CreditNote, Invoice
from billing.panels import order_documents_panel
from billing.seeders import seed_billing_demo
from oms.registry import (
    Panel,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_detail_panel,
    register_nav_item,
    register_reference_resolver,
    register_seeder,
    register_urls,
)

register_urls("", "billing.urls")

VIEW = {"billing.view_invoice", "billing.view_creditnote"}
ISSUE = {"billing.issue_invoice"}
# Finance issues and corrects; whoever looks after orders and customers sees the documents
# (sales only their own customers', through billing.selectors).
grant_many(
    {
        "admin": VIEW | ISSUE,
        "manager": VIEW,
        "finance": VIEW | ISSUE,
        "sales": VIEW,
        "customer_service": VIEW,
    }
)

# Costs and margins: managers and finance only (never sales).
grant_many(
    {
        "admin": {"billing.view_margin"},
        "manager": {"billing.view_margin"},
        "finance": {"billing.view_margin"},
    }
)

register_nav_item(
    "finance", _("Invoices"), "billing:invoice_list", "billing.view_invoice", "receipt", order=10
)
register_nav_item(
    "finance",
    _("Credit notes"),
    "billing:credit_note_list",
    "billing.view_creditnote",
    "receipt-cutoff",
    order=20,
)

register_audited_model(
    "billing.invoice", _("Invoice"), money=("subtotal", "tax_total", "shipping_fee", "total")
)
register_audited_model(
    "billing.creditnote", _("Credit note"), money=("subtotal", "tax_total", "shipping_fee", "total")
)
register_audit_actions(
    {
        "invoice.issue": _("Invoice issued"),
        "invoice.hold": _("Invoice held for fapiao details"),
        "credit_note.issue": _("Credit note issued"),
    }
)

register_detail_panel(
    "orders.order",
    Panel(
        "order-invoices",
        "billing/panels/order_documents.html",
        "billing.view_invoice",
        order_documents_panel,
        order=20,
    ),
)

register_detail_panel(
    "orders.order",
    Panel(
        "order-margin",
        "billing/panels/order_margin.html",
        "billing.view_margin",
        order_margin_panel,
        width="col-lg-6",
        order=25,
    ),
)
register_nav_item(
    "finance", _("Margin"), "billing:margin_report", "billing.view_margin", "graph-up", order=90
)


def _resolver(model, url_name: str):
    def resolve(number: str) -> str | None:
        from django.urls import reverse

        pk = model.objects.filter(number=number).values_list("pk", flat=True).first()
        return reverse(url_name, args=[pk]) if pk else None

    return resolve


register_reference_resolver("INV-", _resolver(Invoice, "billing:invoice_detail"))
register_reference_resolver("CN-", _resolver(CreditNote, "billing:credit_note_detail"))

register_beat_job(
    "billing-catch-up",
    "billing.tasks.bill_orders_behind",
    crontab(minute="*/15"),
    expires=600,
)

register_seeder(Seeder("billing", seed_billing_demo, depends_on=("shipping",)))
