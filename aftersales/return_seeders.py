"""Demo returns, one in each state, on recently delivered demo orders: requested (by the
customer on their page), approved (the parcel on its way back), rejected, received, and
inspected with one line restocked, one quarantined and one scrapped. A quarantine warehouse
beside the first warehouse is created for them. Written through the services by the customer
service and warehouse demo users; requests outside the return window are accepted with an
override note, as the desk does for a goodwill return. The defective one came from a
complaint: its case is opened first and the return is linked to it (hence after the cases
seeder)."""

from datetime import timedelta

from django.db.models import Count, Max

from aftersales import case_services, return_inspection
from aftersales import return_services as services
from aftersales.models import CaseCategory, CasePriority, ReturnRequest
from aftersales.return_selectors import returnable_lines
from inventory.models import Warehouse
from inventory.services import warehouse_save
from oms.demo import SeedContext
from orders.models import Order
from shipping.choices import ShipmentStatus
from shipping.models import Carrier, ShipmentLine

GOODWILL = "Goodwill: long-standing customer / 老客户，特批退货"


def _quarantine_warehouse(context: SeedContext) -> Warehouse:
    existing = Warehouse.objects.filter(is_quarantine=True, is_active=True).first()
    if existing is not None:
        return existing
    main = Warehouse.objects.filter(is_active=True).order_by("pk").first()
    assert main is not None
    return warehouse_save(
        actor=context.actor,
        warehouse=None,
        data={
            "code": f"{main.code[:7]}-Q",
            "name": f"{main.name} 隔离区",
            "region": main.region,
            "city": main.city,
            "address": main.address,
            "latitude": main.latitude,
            "longitude": main.longitude,
            "is_active": True,
            "is_quarantine": True,
        },
    )


def _delivered_orders(min_lines: int, exclude: set[int]) -> list[Order]:
    """Orders with at least `min_lines` delivered lines, latest delivered first."""
    rows = (
        ShipmentLine.objects.filter(shipment__status=ShipmentStatus.DELIVERED)
        .exclude(shipment__order_id__in=exclude)
        .values("shipment__order")
        .annotate(lines=Count("order_line", distinct=True), at=Max("shipment__delivered_at"))
        .filter(lines__gte=min_lines)
        .order_by("-at")[:10]
    )
    ids = [row["shipment__order"] for row in rows]
    orders = {o.pk: o for o in Order.objects.filter(pk__in=ids).select_related("customer")}
    return [orders[pk] for pk in ids if pk in orders]


def _request(
    context: SeedContext,
    order: Order,
    reason: str,
    *,
    lines: int,
    text: str,
    source_customer: bool,
    case=None,
):
    returnable = [e for e in returnable_lines(order) if e.returnable][:lines]
    return services.return_request_create(
        actor=None if source_customer else context.users["service"],
        order=order,
        lines={
            e.order_line.pk: min(e.returnable, 1 if lines == 1 else e.returnable)
            for e in returnable
        },
        reason=reason,
        reason_text=text,
        resolution="refund" if reason != "defective" else "repair",
        override_note="" if source_customer else GOODWILL,
        case=case,
    )


def seed_returns_demo(context: SeedContext) -> None:
    if ReturnRequest.objects.exists():
        return
    service, keeper = context.users["service"], context.users["warehouse"]
    quarantine = _quarantine_warehouse(context)
    used: set[int] = set()
    candidates = _delivered_orders(3, used)
    if not candidates:
        context.stdout.write("Returns: no delivered order with three lines; demo returns skipped.")
        return
    inspected_order = candidates[0]
    used.add(inspected_order.pk)
    singles = _delivered_orders(1, used)[:4]
    if len(singles) < 4:
        context.stdout.write("Returns: too few delivered orders; demo returns skipped.")
        return
    carrier = Carrier.objects.filter(active=True).order_by("pk").first()

    # Inspected: three lines back, restocked, quarantined and scrapped.
    rma = _request(
        context,
        inspected_order,
        "damaged",
        lines=3,
        text="外箱破损，三件商品均有磕碰。",
        source_customer=False,
    )
    rma = services.return_approve(actor=service, request=rma)
    rma = services.return_receive(actor=keeper, request=rma, warehouse=rma.warehouse)
    for line, disposition, note in zip(
        rma.lines.order_by("order_line__line_no"),
        ("restock", "quarantine", "scrap"),
        ("完好，可再销售", "包装破损，待质检", "灯罩碎裂，无法修复"),
        strict=False,
    ):
        return_inspection.return_inspect_line(
            actor=keeper,
            line=line,
            disposition=disposition,
            note=note,
            quarantine_warehouse=quarantine,
        )

    # Received, waiting for inspection: the customer complained first, the case led to it.
    case = case_services.case_open(
        actor=service,
        request=case_services.CaseRequest(
            customer=singles[0].customer,
            category=CaseCategory.DEFECTIVE,
            priority=CasePriority.HIGH,
            subject="灯具通电后闪烁 / lamp flickers when switched on",
            description="客户来电：通电后持续闪烁，要求退回检修。",
            order=singles[0],
            assignee=service,
        ),
        opened_at=context.now - timedelta(hours=26),
    )
    case_services.case_add_note(
        actor=service,
        case=case,
        body="已安排退货检修，请客户寄回。",
        at=context.now - timedelta(hours=25),
    )
    rma = _request(
        context,
        singles[0],
        "defective",
        lines=1,
        text="通电后闪烁。",
        source_customer=False,
        case=case,
    )
    rma = services.return_approve(actor=service, request=rma)
    if carrier is not None:
        services.return_record_shipment(
            actor=service, request=rma, carrier=carrier, tracking_number="SF7000000000001"
        )
    services.return_receive(actor=keeper, request=rma, warehouse=rma.warehouse)

    # Approved: the customer's parcel is on its way back.
    rma = _request(
        context,
        singles[1],
        "wrong_item",
        lines=1,
        text="收到的颜色与订单不符。",
        source_customer=False,
    )
    rma = services.return_approve(actor=service, request=rma)
    if carrier is not None:
        services.return_record_shipment(
            actor=service, request=rma, carrier=carrier, tracking_number="SF7000000000002"
        )

    # Rejected.
    rma = _request(
        context,
        singles[2],
        "not_as_described",
        lines=1,
        text="和图片不太一样。",
        source_customer=False,
    )
    services.return_reject(actor=service, request=rma, reason="商品与描述一致，已与客户电话沟通。")

    # Requested by the customer on their page (within the window) or by the desk.
    try:
        _request(
            context, singles[3], "changed_mind", lines=1, text="不想要了。", source_customer=True
        )
    except Exception:  # outside the seven days: the desk takes it with a goodwill note
        _request(
            context, singles[3], "changed_mind", lines=1, text="不想要了。", source_customer=False
        )
    context.stdout.write(
        f"Returns: {ReturnRequest.objects.count()} demo returns, quarantine warehouse {quarantine.code}."
    )
