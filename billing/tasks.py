from billing import dunning, receivable_rows, selectors, services
from oms.tasks import retrying_task


@retrying_task(time_limit=120, soft_time_limit=100)
def bill_order(order_id: int) -> int:
    """Bring one order's invoices and credit notes up to date; running it twice writes once."""
    return len(services.order_bill(order_id=order_id))


@retrying_task(time_limit=600, soft_time_limit=540)
def bill_orders_behind() -> int:
    """The beat job: orders whose task was lost (a broker outage) get their documents."""
    order_ids = selectors.orders_behind()
    for order_id in order_ids:
        services.order_bill(order_id=order_id)
    return len(order_ids)


@retrying_task(time_limit=1800, soft_time_limit=1700)
def send_reminders() -> int:
    """The daily beat job: overdue reminders (billing.dunning); running it twice sends once."""
    return dunning.reminders_send()


@retrying_task(time_limit=1800, soft_time_limit=1700)
def roll_receivables() -> int:
    """The hourly beat job: the customers' receivables rows a new day has overtaken move on
    to today (billing.receivable_rows); nothing to do after the first run of a day."""
    return receivable_rows.receivables_roll()
