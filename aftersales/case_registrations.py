"""What complaints (cases) add to the kernel: pages, rights, sidebar, the escalation job,
panels and buttons on orders and customers, dashboard tiles and demo data."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from aftersales import case_tasks  # noqa: F401 - registers the Celery task
from aftersales.case_seeders import seed_cases_demo
from aftersales.case_selectors import case_figures, case_queue
from aftersales.case_tables import CaseTable
from aftersales.case_views import customer_cases_panel, order_cases_panel
from oms.registry import (
    DetailAction,
    Kpi,
    KpiValue,
    Panel,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_dashboard_panel,
    register_detail_action,
    register_detail_panel,
    register_kpi,
    register_nav_item,
    register_seeder,
)
from oms.tables import compact_table, table_card

VIEW = "aftersales.view_case"
ADD = "aftersales.add_case"
WORK = "aftersales.change_case"
FILES = "aftersales.view_caseattachment"
ALL = {VIEW, ADD, WORK, FILES}

# Customer service works the cases, managers too; sales see their customers' cases and open
# new ones; other roles have no business with complaints.
grant_many({"admin": ALL, "manager": ALL, "customer_service": ALL, "sales": {VIEW, ADD}})

register_nav_item(
    "aftersales", _("Cases"), "aftersales:case_list", VIEW, "chat-square-dots", order=20
)
register_nav_item("aftersales", _("Lot trace"), "aftersales:lot_trace", VIEW, "upc-scan", order=40)

register_audited_model("aftersales.case", _("Case"))
register_audit_actions(
    {
        "case.open": _("Case opened"),
        "case.note": _("Case note added"),
        "case.status": _("Case status changed"),
        "case.assign": _("Case assigned"),
        "case.attach": _("File attached to a case"),
        "case.recall": _("Recall cases opened for a lot"),
    }
)

# Every 5 minutes: a warning at 80 % of a 2-hour target must not come an hour late.
register_beat_job("case-escalation", "aftersales.case_tasks.escalate_cases", 300, expires=240)

register_detail_panel(
    "orders.order",
    Panel("order-cases", "aftersales/panels/cases.html", VIEW, order_cases_panel, order=60),
)
register_detail_panel(
    "customers.customer",
    Panel("customer-cases", "aftersales/panels/cases.html", VIEW, customer_cases_panel, order=60),
)
register_detail_action(
    "orders.order",
    DetailAction(
        _("New case"),
        ADD,
        lambda order: reverse("aftersales:case_create") + "?" + urlencode({"order": order.number}),
        icon="chat-square-dots",
        order=80,
    ),
)
register_detail_action(
    "customers.customer",
    DetailAction(
        _("New case"),
        ADD,
        lambda customer: (
            reverse("aftersales:case_create") + "?" + urlencode({"customer": customer.code})
        ),
        icon="chat-square-dots",
        order=80,
    ),
)


def _within_sla(user) -> KpiValue:
    figures = case_figures(user)
    percent = figures.within_sla_percent
    return KpiValue(
        _("Cases resolved within SLA"),
        f"{percent} %" if percent is not None else "—",
        url=reverse("aftersales:case_list") + "?status=resolved&status=closed",
        detail=_("%(count)s resolved in 30 days") % {"count": figures.resolved},
        warn=percent is not None and percent < 90,
    )


def _open_cases(user) -> KpiValue:
    figures = case_figures(user)
    return KpiValue(
        _("Open cases"),
        figures.open,
        url=reverse("aftersales:case_list") + "?status=open&status=waiting",
        detail=_("%(count)s past SLA") % {"count": figures.overdue},
        warn=figures.overdue > 0,
    )


def _urgent_cases(request, obj):
    """The dashboard's card: the active cases whose deadline comes first (past ones on top)."""
    queue = case_queue(request.user).filter(sla_due_at__isnull=False)[:8]
    table = compact_table(
        CaseTable,
        queue,
        columns=("number", "customer", "subject", "priority", "sla_due_at"),
        request=request,
    )
    return table_card(_("Cases by SLA due"), table, reverse("aftersales:case_list"))


register_dashboard_panel(
    Panel("cases-by-sla", "oms/panels/table.html", VIEW, _urgent_cases, width="col-xl-6", order=60)
)
register_kpi(Kpi("cases-within-sla", VIEW, _within_sla, order=60))
register_kpi(Kpi("cases-open", VIEW, _open_cases, order=61))

register_seeder(Seeder("cases", seed_cases_demo, depends_on=("shipping",)))
