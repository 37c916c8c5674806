from celery import shared_task

from inventory import services


@shared_task(time_limit=300, soft_time_limit=270)
def send_low_stock_digest() -> int:
    """Daily: e-mail the warehouse role what has fallen below safety stock (once a day)."""
    return services.low_stock_digest_send()


@shared_task(time_limit=1800, soft_time_limit=1700)
def check_stock_ledger() -> int:
    """Nightly: compare every on_hand with the sum of its ledger and report any drift."""
    return len(services.stock_ledger_check())


@shared_task(time_limit=1800, soft_time_limit=1700)
def refresh_forecasts() -> int:
    """Nightly: recompute every product's weekly demand forecast and reorder point."""
    from inventory.replenishment import forecasts_refresh

    return forecasts_refresh()
