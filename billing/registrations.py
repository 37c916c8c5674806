"""What billing adds to the kernel: pages, rights, sidebar, the invoice chain on the order
page, references, the catch-up job and demo data."""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from billing import receivable_panels
from billing.batch_export import INVOICE_BATCH
from billing.dunning_views import customer_dunning_panel
from billing.margin_views import order_margin_panel
from billing.message_seeders import seed_billing_messages
from billing.messages import BILLING_MESSAGES, INVOICE_PDF, invoice_attachment
from billing.models import CreditNote, Invoice, Payment
from billing.panels import order_documents_panel
from billing.public_page import payment_section
from billing.reminder_documents import statement_attachment
from billing.reminder_messages import REMINDER_EVENTS
from billing.reminder_seeders import seed_reminders_demo
from billing.remittance_seeders import seed_statements_demo
from billing.seeders import seed_billing_demo
from billing.statements import STATEMENT_BATCH
from oms.filejobs import register_file_job_kind
from oms.registry import (
    Kpi,
    Panel,
    PublicSection,
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
    register_public_order_section,
    register_reference_resolver,
    register_seeder,
    register_urls,
)

register_urls("", "billing.urls")
register_public_order_section(
    PublicSection(
        key="payment",
        order=100,
        template="billing/track/payment_section.html",
        context=payment_section,
    )
)
register_file_job_kind(INVOICE_BATCH)

VIEW = {"billing.view_invoice", "billing.view_creditnote", "billing.view_payment"}
ISSUE = {"billing.issue_invoice"}
PAY = {"billing.record_payment"}
# Finance issues and corrects; whoever looks after orders and customers sees the documents
# (sales only their own customers', through billing.selectors).
grant_many(
    {
        "admin": VIEW | ISSUE | PAY,
        "manager": VIEW,
        "finance": VIEW | ISSUE | PAY,
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

register_nav_item(
    "finance", _("Payments"), "billing:payment_list", "billing.view_payment", "cash-coin", order=30
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
    "billing.invoice",
    _("Invoice"),
    money=("subtotal", "tax_total", "shipping_fee", "shipping_tax", "total"),
)
register_audited_model("billing.payment", _("Payment"), money=("amount", "unapplied", "fee"))
register_audited_model(
    "billing.creditnote",
    _("Credit note"),
    money=("subtotal", "tax_total", "shipping_fee", "shipping_tax", "total"),
)
STATEMENTS = {"billing.view_codremittance", "billing.view_bankstatement"}
RECORD = {"billing.record_payment"}
grant_many({"admin": STATEMENTS | RECORD, "manager": STATEMENTS, "finance": STATEMENTS | RECORD})
register_nav_item(
    "finance",
    _("COD remittances"),
    "billing:cod_remittance_list",
    "billing.view_codremittance",
    "truck",
    order=40,
)
register_nav_item(
    "finance",
    _("Bank statements"),
    "billing:bank_statement_list",
    "billing.view_bankstatement",
    "bank",
    order=45,
)
register_audited_model(
    "billing.codremittance", _("COD remittance"), money=("total_collected", "total_fees")
)
register_audited_model("billing.bankstatement", _("Bank statement"))

register_audit_actions(
    {
        "cod_remittance.import": _("COD remittance statement imported"),
        "bank_statement.import": _("Bank statement imported"),
        "bank_line.confirm": _("Bank line recorded as payment"),
        "bank_line.ignore": _("Bank line marked as not a customer payment"),
        "invoice.issue": _("Invoice issued"),
        "invoice.hold": _("Invoice held for fapiao details"),
        "invoice.schedule": _("Installments planned"),
        "credit_note.issue": _("Credit note issued"),
        "payment.record": _("Payment recorded"),
        "payment.apply_credit": _("Customer credit applied"),
        "payment.release": _("Payment released by a credit note"),
        "payment.refund": _("Refund paid"),
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
register_reference_resolver("PAY-", _resolver(Payment, "billing:payment_detail"))
register_reference_resolver("CN-", _resolver(CreditNote, "billing:credit_note_detail"))

register_beat_job(
    "billing-catch-up",
    "billing.tasks.bill_orders_behind",
    crontab(minute="*/15"),
    expires=600,
)

register_seeder(Seeder("billing", seed_billing_demo, depends_on=("shipping",)))
register_seeder(Seeder("billing-statements", seed_statements_demo, depends_on=("billing",)))

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
for _event in BILLING_MESSAGES:
    register_message_event(_event)
register_attachment_maker(INVOICE_PDF, invoice_attachment)
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
register_seeder(Seeder("billing-messages", seed_billing_messages, depends_on=("billing",)))
register_beat_job(
    "billing-reminders",
    "billing.tasks.send_reminders",
    crontab(hour=7, minute=30),
    expires=6 * 3600,
)
# The receivables rows' buckets move on with the days (billing.receivable_rows): hourly, so a
# missed run after midnight is caught up; a no-op once the day's rows are done.
register_beat_job(
    "billing-receivables-roll",
    "billing.tasks.roll_receivables",
    crontab(minute=5),
    expires=3000,
)
