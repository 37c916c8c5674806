"""Demo data of the customer's own changes on the order page: notes for the courier on some
open orders, typed by the customer (audited as theirs). Delivery slots booked by customers
come from shipping.delivery_seeders; ratings from after-sales. Idempotent: orders with a note
are left as they are."""

from oms.demo import SeedContext
from orders import services as order_services
from orders.models import Order
from orders.services.delivery_note import DELIVERY_NOTE_STATUSES

NOTES = [
    "放在小区北门门卫处，谢谢",
    "工作日白天家里没人，请放快递柜",
    "Please call 30 minutes before arriving",
    "送货上楼，6楼无电梯",
    "Leave at reception, building B",
]


def seed_customer_page_demo(context: SeedContext) -> None:
    if Order.objects.exclude(delivery_note="").exists():
        return
    orders = list(
        Order.objects.filter(status__in=DELIVERY_NOTE_STATUSES - {"draft"}).order_by("id")[:40]
    )
    chosen = context.rng.sample(orders, min(len(NOTES), len(orders)))
    for order, note in zip(chosen, NOTES, strict=False):
        order_services.order_set_delivery_note(actor=None, order=order, note=note, by_customer=True)
        order_services.order_public_token(order)
    context.say(f"{len(chosen)} delivery notes typed by customers on their order page")
