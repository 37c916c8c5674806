"""Demo resolutions: one customer (售后演示) with three delivered, paid orders and a return of
each, taken through the returns' own steps (request, approval, receipt, inspection) and then
resolved: a refund (defective: the shipping fee goes back too), an exchange (wrong item: a
replacement order at no charge) and a repair (a work order, then the goods go back on an order
at no charge). Self-contained (its own customer and orders), so the other demo figures do not
move; idempotent (the customer's code marks it done)."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from aftersales import return_inspection
from aftersales import return_services as rs
from aftersales.models import ReturnLine
from aftersales.resolutions import return_resolve
from billing import services as billing_services
from billing.choices import PaymentMethod
from billing.models import Invoice
from billing.payments import payment_record
from customers.models import Address, Customer
from inventory.models import Product, StockLevel, Warehouse
from oms.demo import SeedContext
from oms.errors import ServiceError
from orders import services as order_services
from orders.models import Order
from orders.services import LineRequest
from shipping import services as shipping_services
from shipping.models import Shipment
from shipping.permissions import ShipmentAction

CODE = "D95001"
# (reason, wanted resolution, disposition of the returned goods)
STORIES = [
    ("defective", "refund", "scrap"),
    ("wrong_item", "exchange", "restock"),
    ("defective", "repair", "quarantine"),
]


def _customer(salesperson) -> Customer:
    customer = Customer.objects.create(
        code=CODE,
        name="售后演示家居有限公司",
        kind="individual",
        contact_person="陈女士",
        phone="13900000095",
        email="d95001@example.com",
        payment_terms="prepaid",
        credit_limit=50000,
        language="zh-hans",
        preferred_channel="email",
        salesperson=salesperson,
        region="SH",
    )
    Address.objects.create(
        customer=customer,
        recipient="陈女士",
        phone="13900000095",
        region="SH",
        city="上海",
        street="徐汇区漕溪北路 88 号",
        is_default_shipping=True,
        is_default_billing=True,
    )
    return customer


def _delivered(context: SeedContext, customer: Customer, product: Product, n: int) -> Order:
    """An order placed, invoiced, paid, shipped and delivered today."""
    order = order_services.order_place(
        actor=None, customer=customer, lines=[LineRequest(product, 2)]
    )
    billing_services.order_bill(order_id=order.pk)
    invoice = Invoice.objects.filter(order=order).order_by("pk").first()
    if invoice is not None:
        payment_record(
            actor=context.users.get("finance"),
            customer=customer,
            amount=invoice.total,
            method=[PaymentMethod.ALIPAY, PaymentMethod.WECHAT_PAY, PaymentMethod.BANK_TRANSFER][n],
            received_on=timezone.localdate(context.now),
            idempotency_key=f"demo-resolution-{order.number}",
        )
    order = order_services.order_start_picking(actor=None, order=order)
    for shipment in Shipment.objects.filter(order=order).order_by("pk"):
        shipment = shipping_services.shipment_pack(actor=None, shipment=shipment)
        shipment = shipping_services.shipment_dispatch(
            actor=None,
            shipment=shipment,
            details=shipping_services.DispatchDetails(
                carrier="顺丰速运 SF Express",
                tracking_number=f"SF{7500000000 + shipment.pk:010d}",
                service="express",
                parcels=1,
            ),
        )
        shipping_services.shipment_record_progress(
            actor=None, shipment=shipment, action=ShipmentAction.DELIVERED
        )
    return Order.objects.get(pk=order.pk)


def seed_resolutions_demo(context: SeedContext) -> None:
    if Customer.objects.filter(code=CODE).exists():
        return
    level = (
        StockLevel.objects.filter(
            product__is_active=True,
            product__made_to_order=False,
            warehouse__is_active=True,
            warehouse__is_quarantine=False,
            on_hand__gte=20,
        )
        .select_related("product", "warehouse")
        .order_by("pk")
        .first()
    )
    if level is None:
        context.stdout.write("resolutions demo: no product with stock, skipped")
        return
    agent = context.users.get("service") or context.users.get("admin")
    customer = _customer(context.users.get("sales1"))
    warehouse: Warehouse = level.warehouse
    for n, (reason, resolution, disposition) in enumerate(STORIES):
        try:
            order = _delivered(context, customer, level.product, n)
            first = order.lines.order_by("line_no").first()
            assert first is not None
            request = rs.return_request_create(
                actor=None,
                order=order,
                lines={first.pk: 1},
                reason=reason,
                resolution=resolution,
                reason_text="灯罩有裂纹" if reason == "defective" else "收到的型号不对",
            )
            request = rs.return_approve(actor=None, request=request)
            request = rs.return_receive(actor=None, request=request, warehouse=warehouse)
            for line in ReturnLine.objects.filter(request=request).order_by("pk"):
                chosen = disposition
                if (
                    chosen == "quarantine"
                    and return_inspection.quarantine_warehouse_for(warehouse) is None
                ):
                    chosen = "restock"
                return_inspection.return_inspect_line(
                    actor=None, line=line, disposition=chosen, note="演示：检验记录"
                )
            request.refresh_from_db()
            return_resolve(
                actor=agent,
                return_request=request,
                resolution=resolution,
                refund_shipping=None,
                note="",
                submission_key=f"demo-{request.number}",
            )
        except (ServiceError, ValidationError) as exc:
            context.stdout.write(f"resolutions demo, {resolution}: {exc}")


__all__ = ["seed_resolutions_demo"]
