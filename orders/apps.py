from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_channels_after_migrate(sender, using="default", **kwargs) -> None:
    """A database emptied by a test's flush gets the first channels back (migration 0023 made
    them); channels staff keep are never touched."""
    if sender.name != "orders":
        return
    from orders.intake.channels import ensure_first_channels

    ensure_first_channels(using=using)


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        # Inventory sits below orders and cannot import it; it calls what we register here.
        from inventory import hooks
        from orders import messages, registrations, tasks  # noqa: F401
        from orders.intake import outbound

        outbound.connect()

        hooks.stock_arrived.append(tasks.schedule_backorder_allocation)
        hooks.work_order_done.append(tasks.schedule_work_order_allocation)
        hooks.work_order_advanced.append(messages.notify_work_order_stage)
        post_migrate.connect(ensure_channels_after_migrate, dispatch_uid="orders.ensure_channels")
