from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        # Inventory sits below orders and cannot import it; it calls what we register here.
        from inventory import hooks
        from orders import messages, registrations, tasks  # noqa: F401

        hooks.stock_arrived.append(tasks.schedule_backorder_allocation)
        hooks.work_order_done.append(tasks.schedule_work_order_allocation)
        hooks.work_order_advanced.append(messages.notify_work_order_stage)
