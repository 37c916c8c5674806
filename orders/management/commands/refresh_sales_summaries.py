"""Rewrite the sales summaries of some days (default: yesterday), then optionally the
customers' RFM segments and tiers: `manage.py refresh_sales_summaries --days 30 --customers`."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orders.analytics import sales_summaries_refresh
from orders.rfm import customer_analytics_refresh


class Command(BaseCommand):
    help = "Rewrite the nightly sales summaries (and, with --customers, RFM segments and tiers)."

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first day (YYYY-MM-DD); default: see --days")
        parser.add_argument("--end", help="last day (YYYY-MM-DD); default: yesterday")
        parser.add_argument(
            "--days", type=int, default=1, help="how many days up to --end (default 1)"
        )
        parser.add_argument(
            "--customers", action="store_true", help="also compute RFM segments and tiers"
        )

    def handle(self, *args, start=None, end=None, days=1, customers=False, **options):
        try:
            last = date.fromisoformat(end) if end else timezone.localdate() - timedelta(days=1)
            first = date.fromisoformat(start) if start else last - timedelta(days=days - 1)
        except ValueError as exc:
            raise CommandError(f"not a date: {exc}") from exc
        if first > last:
            raise CommandError("the start is after the end")
        done = sales_summaries_refresh(start=first, end=last)
        orders = sum(day.orders for day in done)
        self.stdout.write(f"{len(done)} days summarised ({orders} orders), {first} to {last}")
        if customers:
            counts = customer_analytics_refresh()
            self.stdout.write(
                "customers: {segmented} segmented, {cleared} cleared, "
                "{tier_changes} tier changes".format(**counts)
            )
