"""What the kernel itself contributes: the sidebar's sections, the audit log, the outbox,
the working-day calendar, the customer message templates, the demo users."""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from oms import communication
from oms.demo import seed_users
from oms.export_jobs import EXPORT
from oms.filejobs import register_file_job_kind
from oms.registry import (
    Panel,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_detail_panel,
    register_nav_item,
    register_nav_section,
    register_seeder,
)
from oms.roles import ROLES

for key, label, order in (
    ("orders", _("Orders"), 10),
    ("warehouse", _("Warehouse"), 20),
    ("customers", _("Customers"), 30),
    ("finance", _("Finance"), 40),
    ("reports", _("Reports"), 50),
    ("settings", _("Settings"), 90),
):
    register_nav_section(key, label, order=order)

register_nav_item(
    "settings", _("Working days"), "calendar", "oms.view_calendarday", "calendar3", order=20
)
register_nav_item(
    "settings",
    _("Message templates"),
    "message_template_list",
    "oms.view_messagetemplate",
    "chat-left-text",
    order=30,
)
register_nav_item(
    "customers",
    _("Customer messages"),
    "message_list",
    communication.VIEW_PERMISSION,
    "envelope",
    order=50,
)
register_nav_item(
    "settings", _("Audit log"), "audit_log", "oms.view_auditlog", "clock-history", order=90
)
register_audited_model("oms.calendarday", _("Working-day calendar"))
register_audited_model("oms.messagetemplate", _("Message template"))
register_audit_actions(
    {
        "calendar.working_day": _("Day made a working day"),
        "calendar.day_off": _("Day made a day off"),
        "calendar.reset": _("Day back to the shipped calendar"),
        "message_template.update": _("Message template changed"),
        "message_template.reset": _("Message template restored to its default"),
    }
)

# Everybody may read the working-day calendar (transit days, SLAs and due dates count on it);
# managers keep it. Message templates: managers and customer service, who answer customers.
CALENDAR = {"oms.view_calendarday"}
KEEP_CALENDAR = CALENDAR | {"oms.change_calendarday"}
MESSAGES = {"oms.view_messagetemplate", "oms.change_messagetemplate"}
grant_many({role: CALENDAR for role in ROLES})
grant_many(
    {
        # Administrators may download anybody's file (support); others only their own.
        "admin": {"oms.view_auditlog", "oms.view_outboxmessage", "oms.view_filejob"}
        | KEEP_CALENDAR
        | MESSAGES,
        "manager": {"oms.view_auditlog"} | KEEP_CALENDAR | MESSAGES,
        "customer_service": MESSAGES,
    }
)
# What customers were told, on the customer and order pages and at /messages/: whoever
# answers customers (sales, customer service) and managers; administrators have it above.
grant_many(
    {role: {communication.VIEW_PERMISSION} for role in ("manager", "sales", "customer_service")}
)
# The kernel owns the outbox, so it adds the cards by model label (it imports no app).
register_detail_panel(
    communication.CUSTOMER_LABEL,
    Panel(
        "customer-messages",
        "oms/panels/table.html",
        communication.VIEW_PERMISSION,
        communication.customer_panel,
        order=60,
    ),
)
register_detail_panel(
    communication.ORDER_LABEL,
    Panel(
        "order-messages",
        "oms/panels/table.html",
        communication.VIEW_PERMISSION,
        communication.order_panel,
        order=80,
    ),
)

register_beat_job("flush-outbox", "oms.tasks.flush_outbox", 60.0, expires=50)
register_beat_job(
    "file-jobs-clean-up", "oms.tasks.file_jobs_clean_up", crontab(hour=3, minute=40), expires=3600
)

register_file_job_kind(EXPORT)

# Imports (oms.imports; the kinds are the apps' importers): whoever may import one kind.
# Managers and administrators open anybody's import (oversight, support); others only their own.
grant_many({role: {"oms.add_importjob"} for role in ("admin", "manager", "sales", "warehouse")})
grant_many({role: {"oms.view_importjob"} for role in ("admin", "manager")})
register_nav_item("settings", _("Imports"), "import_list", "oms.add_importjob", "upload", order=40)
register_beat_job(
    "import-jobs-clean-up",
    "oms.tasks.import_jobs_clean_up",
    crontab(hour=3, minute=45),
    expires=3600,
)

register_seeder(Seeder("users", seed_users))
