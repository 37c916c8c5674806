"""Demo reminders: four dedicated customers with prepaid orders never paid, invoiced on past
days, and the daily job replayed day by day up to today, so a newcomer sees every level:
- 催款演示一 (en): 10 days overdue, the friendly reminder;
- 催款演示二: 30 days overdue, friendly then firm;
- 催款演示三: 60 days overdue, all three levels and a credit hold put by the final notice, and
  then a web-shop order that waits in review with the reason "credit hold";
- 催款演示四: 40 days overdue, reminders paused by finance (a disputed delivery).
Self-contained: its own customers and orders, so the other demo numbers do not move. The
invoices are issued today (gapless numbers must rise with their dates, and the billing demo
has issued invoices up to today); their installments are then moved into the past, as if a
payment date had been agreed with the customer earlier (the invoice page shows the issue
date, the reminders and the receivables page the installments' due dates)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from billing import dunning, services
from billing.models import Installment, Invoice, Reminder
from billing.receivable_rows import receivables_refresh
from customers.models import Address, Customer
from inventory.models import Product
from oms.demo import SeedContext
from orders import services as order_services
from orders.choices import ChannelCode
from orders.services import LineRequest

DEMO = [
    # code, name, days overdue, language, paused
    ("D90001", "催款演示一 Reminder Demo Ltd", 10, "en", False),
    ("D90002", "催款演示二贸易有限公司", 30, "zh-hans", False),
    ("D90003", "催款演示三照明有限公司", 60, "zh-hans", False),
    ("D90004", "催款演示四灯饰商行", 40, "zh-hans", True),
]


def _customer(code: str, name: str, language: str, salesperson) -> Customer:
    customer = Customer.objects.create(
        code=code,
        name=name,
        kind="individual",
        contact_person="王经理",
        phone="13900000000",
        email=f"{code.lower()}@example.com",
        payment_terms="prepaid",
        credit_limit=50000,
        language=language,
        preferred_channel="email",
        salesperson=salesperson,
        region="SH",
    )
    Address.objects.create(
        customer=customer,
        recipient="王经理",
        phone="13900000000",
        region="SH",
        city="上海",
        street="浦东新区世纪大道 100 号",
        is_default_shipping=True,
        is_default_billing=True,
    )
    return customer


def seed_reminders_demo(context: SeedContext) -> None:
    if Customer.objects.filter(code=DEMO[0][0]).exists():
        return
    today = timezone.localdate(context.now)
    product = Product.objects.filter(is_active=True, made_to_order=False).order_by("pk").first()
    if product is None:
        return
    finance, sales = context.users.get("finance"), context.users.get("sales1")
    days = dunning.dunning_settings().days()
    customers = []
    for code, name, overdue_days, language, paused in DEMO:
        customer = _customer(code, name, language, sales)
        issued = today - timedelta(days=overdue_days)
        order = order_services.order_place(
            actor=None, customer=customer, lines=[LineRequest(product, 2)]
        )
        services.order_bill(order_id=order.pk, on=today)
        Installment.objects.filter(invoice__order=order).update(due_date=issued)
        receivables_refresh([customer.pk])
        if paused:
            dunning.reminders_pause(
                actor=finance,
                customer=customer,
                paused=True,
                note="客户对到货数量有异议，核实中 / Delivery disputed, checking",
            )
        customers.append((customer, issued))
    # The daily job, replayed from the oldest invoice to today.
    first = min(issued for _customer, issued in customers)
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        at = timezone.make_aware(datetime.combine(day, time(7, 30)))
        for customer, _issued in customers:
            dunning.customer_remind(customer_id=customer.pk, on=day, days=days, at=at)
    held = customers[2][0]
    held.refresh_from_db()
    if held.credit_hold:
        order_services.order_place(
            actor=None,
            customer=held,
            lines=[LineRequest(product, 1)],
            channel=ChannelCode.WEB_SHOP,
            external_reference="WEB-HOLD-0001",
        )
    context.say(
        f"reminders: {Reminder.objects.count()} sent for "
        f"{Invoice.objects.filter(reminders__isnull=False).distinct().count()} invoices"
    )
