"""What billing adds to the kernel: pages, rights, sidebar, the invoice chain on the order
page, references, the catch-up job and demo data."""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from billing import receivable_panels
from billing.dunning_views import customer_dunning_panel
from billing.models import CreditNote, Invoice
from billing.panels import order_documents_panel
from billing.reminder_documents import statement_attachment
from billing.reminder_messages import REMINDER_EVENTS
from billing.reminder_seeders import seed_reminders_demo
from billing.seeders import seed_billing_demo
from billing.statements import STATEMENT_BATCH
from oms.filejobs import register_file_job_kind
from oms.registry import (
    Kpi,
    Panel,
    Seeder,
    grant_many,
    register_attachment_maker,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_detail_panel,
    register_kpi,
    register_message_event,
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

register_nav_item(
    "finance",
    _("Receivables"),
    "billing:receivable_list",
    "billing.view_invoice",
    "hourglass-split",
    order=5,
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


# Receivables (billing.receivables): the customer page's panel, the dashboard's tiles, and the
# statements a worker makes for many customers.
register_detail_panel(
    "customers.customer",
    Panel(
        "customer-receivables",
        "billing/panels/customer_receivables.html",
        "billing.view_invoice",
        receivable_panels.customer_receivables_panel,
        order=15,
    ),
)
for _name, _compute, _order in (
    ("receivables-total", receivable_panels.kpi_total, 60),
    ("receivables-overdue", receivable_panels.kpi_overdue, 61),
    ("receivables-dso", receivable_panels.kpi_dso, 62),
    ("receivables-collected", receivable_panels.kpi_collected, 63),
):
    register_kpi(Kpi(_name, "billing.view_invoice", _compute, order=_order))
register_file_job_kind(STATEMENT_BATCH)


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

# --- overdue reminders and credit hold (billing/dunning.py) --------------------------------
register_urls("reminders/", "billing.dunning_urls")
grant_many(
    {
        "admin": {"billing.view_reminder", "billing.manage_reminders"},
        "finance": {"billing.view_reminder", "billing.manage_reminders"},
        "manager": {"billing.view_reminder"},
        "sales": {"billing.view_reminder"},
        "customer_service": {"billing.view_reminder"},
    }
)
register_nav_item(
    "finance", _("Reminders"), "reminders:list", "billing.view_reminder", "bell", order=40
)
register_audited_model("billing.customerdunning", _("Customer reminders"))
register_audited_model("billing.dunningsettings", _("Reminder settings"))
register_audit_actions(
    {
        "reminders.pause": _("Reminders paused"),
        "reminders.resume": _("Reminders resumed"),
        "reminder_settings.update": _("Reminder days changed"),
    }
)
for _event in REMINDER_EVENTS:
    register_message_event(_event)
register_attachment_maker("billing.statement_pdf", statement_attachment)
register_detail_panel(
    "customers.customer",
    Panel(
        "customer-reminders",
        "billing/panels/customer_dunning.html",
        "billing.view_reminder",
        customer_dunning_panel,
        order=40,
    ),
)
register_seeder(Seeder("reminders", seed_reminders_demo, depends_on=("billing",)))
register_beat_job(
    "billing-reminders",
    "billing.tasks.send_reminders",
    crontab(hour=7, minute=30),
    expires=6 * 3600,
)
