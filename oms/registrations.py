"""What the kernel itself contributes: the sidebar's sections, the audit log, the outbox,
the demo users."""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from oms.demo import seed_users
from oms.registry import (
    Seeder,
    grant_many,
    register_beat_job,
    register_nav_item,
    register_nav_section,
    register_seeder,
)

for key, label, order in (
    ("orders", _("Orders"), 10),
    ("warehouse", _("Warehouse"), 20),
    ("customers", _("Customers"), 30),
    ("settings", _("Settings"), 90),
):
    register_nav_section(key, label, order=order)

register_nav_item(
    "settings", _("Audit log"), "audit_log", "oms.view_auditlog", "clock-history", order=90
)

grant_many(
    {
        # Administrators may download anybody's export (support); others only their own.
        "admin": {"oms.view_auditlog", "oms.view_outboxmessage", "oms.view_exportjob"},
        "manager": {"oms.view_auditlog"},
    }
)

register_beat_job("flush-outbox", "oms.tasks.flush_outbox", 60.0, expires=50)
register_beat_job(
    "exports-clean-up", "oms.tasks.exports_clean_up", crontab(hour=3, minute=40), expires=3600
)

register_seeder(Seeder("users", seed_users))
