"""Demo invoices and credit notes: the demo orders billed by their terms on the shared demo
timeline, so a newcomer sees issued invoices per series and year, invoices per shipment, an
invoice held for missing fapiao details, and credit notes for an amendment, a cancellation
and a correction; payments for part of them (billing.payment_seeders), before the
corrections, so the cancellation keeps a paid order's money as the customer's credit.

Documents are written through the services, dated with the moment that triggered them (a
prepaid order's confirmation, the first dispatch otherwise), in the order of those moments, so
the gapless numbers rise with the dates; their timestamps then move onto the timeline.
"""

from collections import Counter
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Min
from django.db.models.functions import Coalesce
from django.utils import timezone
from stdnum.cn import uscc

from billing import services
from billing.models import CreditNote, Invoice
from billing.payment_seeders import seed_payment_demo
from customers.choices import CustomerKind, FapiaoType, PaymentTerms
from customers.fapiao import customer_fapiao_update
from customers.models import Customer
from oms.demo import SeedContext, backdate
from oms.errors import ServiceError
from orders import services as order_services
from orders.choices import OrderStatus
from orders.models import Order
from shipping.choices import DISPATCHED_STATUSES
from shipping.models import Shipment

BANKS = ["中国工商银行", "中国建设银行", "招商银行", "中国银行", "交通银行"]


def demo_taxpayer_id(customer_pk: int) -> str:
    """A unified social credit code with a correct check character, one per customer."""
    body = f"91{310000 + customer_pk % 90000:06d}MA{customer_pk:07d}"
    return body + uscc.calc_check_digit(body)


def _fapiao_details(context: SeedContext) -> None:
    """Businesses get their fapiao details; every sixth wants special invoices; a few have
    not given their taxpayer id yet (their invoices wait for it)."""
    finance = context.users["finance"]
    businesses = Customer.objects.filter(kind=CustomerKind.BUSINESS).order_by("pk")
    for index, customer in enumerate(businesses):
        if index % 25 == 7:
            continue
        data = {
            "fapiao_title": customer.name,
            "taxpayer_id": demo_taxpayer_id(customer.pk),
            "fapiao_type": FapiaoType.GENERAL,
        }
        if index % 6 == 0:
            data |= {
                "fapiao_type": FapiaoType.SPECIAL,
                "fapiao_address": f"{customer.get_region_display()} {customer.name}注册地址",
                "fapiao_phone": customer.phone,
                "fapiao_bank": f"{BANKS[index % len(BANKS)]}{customer.get_region_display()}分行",
                "fapiao_account": f"62220{customer.pk:014d}",
            }
        customer_fapiao_update(actor=finance, customer=customer, data=data)


def _moments(context: SeedContext) -> list[tuple[datetime, int]]:
    """(moment, order id) of every order that should have documents by now, oldest first."""
    prepaid = (
        Order.objects.filter(payment_terms=PaymentTerms.PREPAID, confirmed_at__isnull=False)
        .exclude(status__in=(OrderStatus.DRAFT, OrderStatus.PENDING_REVIEW, OrderStatus.CANCELLED))
        .values_list("confirmed_at", "pk")
    )
    dispatched = (
        Shipment.objects.filter(status__in=DISPATCHED_STATUSES)
        .exclude(order__payment_terms=PaymentTerms.PREPAID)
        .values("order_id")
        .annotate(first=Min(Coalesce("dispatched_at", "delivered_at")))  # collected: no dispatch
        .values_list("first", "order_id")
    )
    return sorted([*prepaid, *dispatched])


def _stories(context: SeedContext) -> None:
    """Today's corrections: an amendment that lowers a quantity, a cancellation, and finance
    crediting one broken unit of a delivered order."""
    manager, finance = context.users["manager"], context.users["finance"]
    # Orders of a state that has more than one, so every state keeps showing.
    open_states = (
        OrderStatus.ALLOCATED,
        OrderStatus.BACKORDERED,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.PICKING,
    )
    left = Counter(
        Order.objects.filter(status__in=open_states, on_hold=False).values_list("status", flat=True)
    )
    waiting = list(
        Order.objects.filter(
            payment_terms=PaymentTerms.PREPAID,
            status__in=open_states,
            on_hold=False,
            invoices__status="issued",
        ).order_by("-pk")[:20]
    )
    amended = None
    for order in waiting:
        line = order.lines.filter(quantity__gte=2).order_by("line_no").first()
        if line is None or left[order.status] < 2:
            continue
        try:
            order_services.order_amend(
                actor=manager,
                order=order,
                changes={line.line_no: line.quantity - 1},
                note="客户少要一件 Customer needs one fewer",
            )
        except (ServiceError, ValidationError):
            continue
        services.order_bill(order_id=order.pk)
        amended = order
        left[order.status] -= 1
        break
    for order in waiting:
        if order == amended or left[order.status] < 2:
            continue
        try:
            order_services.order_cancel(
                actor=manager, order=order, reason="客户取消订单 Customer cancelled"
            )
        except (ServiceError, ValidationError):
            continue
        services.order_bill(order_id=order.pk)
        break
    delivered = (
        Invoice.objects.filter(status="issued", order__status=OrderStatus.DELIVERED)
        .prefetch_related("lines")
        .order_by("-issue_date", "-pk")
        .first()
    )
    if delivered is not None:
        line = delivered.lines.all()[0]
        services.credit_note_create(
            actor=finance,
            invoice=delivered,
            quantities={line.order_line_no: 1},
            note="到货破损一件 One unit arrived broken",
        )


def seed_billing_demo(context: SeedContext) -> None:
    if Invoice.objects.exists():
        return
    _fapiao_details(context)
    moments: dict[int, datetime] = {}
    for moment, order_id in _moments(context):
        for document in services.order_bill(order_id=order_id, on=timezone.localdate(moment)):
            if isinstance(document, Invoice):
                moments[document.pk] = moment
    backdate(Invoice, "created_at", moments)
    issued = set(
        Invoice.objects.filter(pk__in=moments, number__isnull=False).values_list("pk", flat=True)
    )
    backdate(Invoice, "issued_at", {pk: m for pk, m in moments.items() if pk in issued})
    seed_payment_demo(context)
    _stories(context)
    context.stdout.write(
        f"billing: {Invoice.objects.count()} invoices "
        f"({Invoice.objects.filter(status='held').count()} held), "
        f"{CreditNote.objects.count()} credit notes"
    )
