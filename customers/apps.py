from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Where tiers start by default (CNY net of tax in 12 months), as migration 0008 wrote them;
# managers change them on a page.
DEFAULT_TIER_THRESHOLDS = {"silver": "20000.00", "gold": "100000.00", "platinum": "500000.00"}


def ensure_tier_thresholds_after_migrate(sender, using="default", **kwargs) -> None:
    """An empty threshold table (a database emptied by a test's flush) gets the defaults;
    thresholds managers keep are never touched."""
    if sender.name != "customers":
        return
    from customers.models import TierThreshold

    thresholds = TierThreshold.objects.using(using)
    if not thresholds.exists():
        thresholds.bulk_create(
            TierThreshold(tier=tier, min_spend=amount)
            for tier, amount in DEFAULT_TIER_THRESHOLDS.items()
        )


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from customers import registrations  # noqa: F401

        post_migrate.connect(
            ensure_tier_thresholds_after_migrate, dispatch_uid="customers.ensure_tier_thresholds"
        )
