"""Orders' analytics in the kernel: the sales analytics page, the dashboard's sales charts and
order tiles, the nightly summaries and customer segments, the rights, and the demo's
summaries. Imported by orders/registrations.py."""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from oms.registry import (
    Kpi,
    Panel,
    Seeder,
    grant_many,
    register_audit_actions,
    register_audited_model,
    register_beat_job,
    register_dashboard_panel,
    register_kpi,
    register_nav_item,
    register_seeder,
    register_urls,
)
from orders import analytics_panels
from orders.analytics import REFRESH_SUMMARY, VIEW_ANALYTICS
from orders.seeders.analytics import seed_analytics_demo

register_urls("analytics/", "orders.analytics_urls")

# Sales figures: managers and finance see all; sales users too (only their own customers'
# when OMS_SALES_OWN_CUSTOMERS_ONLY is on). Refreshing the summaries is the managers'.
grant_many(
    {
        "admin": {VIEW_ANALYTICS, REFRESH_SUMMARY},
        "manager": {VIEW_ANALYTICS, REFRESH_SUMMARY},
        "finance": {VIEW_ANALYTICS},
        "sales": {VIEW_ANALYTICS},
    }
)
register_nav_item("reports", _("Sales analytics"), "analytics:sales", VIEW_ANALYTICS, "bar-chart")

register_audited_model("orders.salessummaryday", _("Sales summary"))
register_audit_actions({"sales_summary.refresh": _("Sales summary refreshed")})

# After midnight's orders are in; before the working day. Customers after the summaries.
register_beat_job(
    "sales-summaries",
    "orders.tasks.refresh_sales_summaries",
    crontab(hour=0, minute=30),
    expires=3 * 3600,
)
register_beat_job(
    "customer-segments",
    "orders.tasks.refresh_customer_analytics",
    crontab(hour=1, minute=30),
    expires=3 * 3600,
)

register_kpi(Kpi("orders-today", VIEW_ANALYTICS, analytics_panels.kpi_orders_today, order=1))
register_kpi(Kpi("revenue-week", VIEW_ANALYTICS, analytics_panels.kpi_revenue_week, order=2))
register_kpi(
    Kpi(
        "orders-waiting-review",
        "orders.view_order",
        analytics_panels.kpi_waiting_for_review,
        order=3,
    )
)
register_dashboard_panel(
    Panel(
        "sales-charts",
        "orders/panels/sales_charts.html",
        VIEW_ANALYTICS,
        analytics_panels.sales_charts_panel,
        order=5,
    )
)

register_seeder(Seeder("analytics", seed_analytics_demo, depends_on=("orders", "billing")))
