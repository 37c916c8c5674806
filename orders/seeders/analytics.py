"""Demo analytics: the nightly summaries of the whole demo history, and the customers' RFM
segments and tiers, so the dashboard and the analytics page are full after seed_demo.
Idempotent: each day is rewritten, segments and tiers recomputed."""

from datetime import timedelta

from django.utils import timezone

from orders.analytics import sales_summaries_refresh
from orders.rfm import customer_analytics_refresh


def seed_analytics_demo(context) -> None:
    first = timezone.localdate(context.start)
    days = sales_summaries_refresh(start=first, end=timezone.localdate() - timedelta(days=1))
    counts = customer_analytics_refresh()
    context.stdout.write(
        f"  analytics: {len(days)} days summarised "
        f"({sum(d.orders for d in days)} orders); {counts['segmented']} customers segmented, "
        f"{counts['tier_changes']} tier changes"
    )
