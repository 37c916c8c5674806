"""Demo complaints: a case in every status, some inside their SLA and some past it, and one
lot of a ceiling lamp that reached several customers, with its complaint, its trace and the
recall cases opened from it.

The demo's dispatched shipments carry no lots (the pack station records them when staff scan
one), so the seeder writes one lot on the lines of a product's latest dispatched shipments, as
packing would have. Cases are opened and worked through the services at moments in the past
(`opened_at=`, `at=`), so their deadlines, response and resolution times are what the clock
makes of those moments."""

from datetime import datetime, timedelta

from django.db import transaction

from aftersales import case_services as services
from aftersales.models import Case, CaseCategory, CaseEventKind, CasePriority, CaseStatus
from oms.demo import SeedContext
from shipping.models import Shipment, ShipmentLine

DEMO_LOT = "L2611-CL042-A"


def _dispatched(limit: int = 40) -> list[Shipment]:
    return list(
        Shipment.objects.filter(dispatched_at__isnull=False)
        .select_related("order__customer")
        .order_by("-dispatched_at")[:limit]
    )


def _lot_lines() -> list[ShipmentLine]:
    """The latest dispatched lines of the product shipped to most customers lately."""
    lines = list(
        ShipmentLine.objects.filter(shipment__dispatched_at__isnull=False)
        .select_related("shipment__order__customer", "product")
        .order_by("-shipment__dispatched_at")[:400]
    )
    customers: dict[int, set[int]] = {}
    for line in lines:
        customers.setdefault(line.product_id, set()).add(line.shipment.order.customer_id)
    if not customers:
        return []
    product_id = max(customers, key=lambda pk: len(customers[pk]))
    chosen, seen = [], set()
    for line in lines:
        customer_id = line.shipment.order.customer_id
        if line.product_id == product_id and customer_id not in seen:
            chosen.append(line)
            seen.add(customer_id)
        if len(chosen) == 5:
            break
    return chosen


def seed_cases_demo(context: SeedContext) -> None:
    if Case.objects.exists():
        return
    # All or nothing: a demo run that stops half-way leaves no cases, so the next run seeds.
    with transaction.atomic():
        _seed(context)


def _seed(context: SeedContext) -> None:
    shipments = _dispatched()
    if len(shipments) < 8:
        context.stdout.write("cases: not enough dispatched shipments for the demo")
        return
    users = context.users
    service, manager = users.get("service"), users.get("manager")
    now = context.now

    def ago(hours: float) -> datetime:
        return now - timedelta(hours=hours)

    def open_case(
        shipment: Shipment,
        category: str,
        priority: str,
        subject: str,
        opened: datetime,
        assignee=None,
        description: str = "",
    ) -> Case:
        return services.case_open(
            actor=service,
            request=services.CaseRequest(
                customer=shipment.order.customer,
                category=category,
                priority=priority,
                subject=subject,
                description=description,
                order=shipment.order,
                shipment=shipment,
                assignee=assignee,
            ),
            opened_at=opened,
        )

    # Open, just in: inside its SLA, nobody on it yet.
    open_case(
        shipments[0],
        CaseCategory.DELIVERY_DELAY,
        CasePriority.NORMAL,
        "快递三天没有更新 / no tracking news for three days",
        ago(1),
    )
    # Open, answered, past its resolution SLA (urgent, a week old).
    late = open_case(
        shipments[1],
        CaseCategory.DAMAGED,
        CasePriority.URGENT,
        "灯罩碎裂 / lampshade arrived broken",
        ago(24 * 7),
        assignee=service,
        description="客户发来照片，外箱有明显压痕。",
    )
    services.case_add_note(
        actor=service, case=late, body="已联系客户，等待补发审批。", at=ago(24 * 7 - 1)
    )
    # Open with no answer past its first-response SLA.
    open_case(
        shipments[2],
        CaseCategory.WRONG_ITEM,
        CasePriority.HIGH,
        "收到的型号不对 / wrong model delivered",
        ago(30),
        assignee=manager,
    )
    # Waiting for the customer: the clock stands.
    waiting = open_case(
        shipments[3],
        CaseCategory.BILLING,
        CasePriority.NORMAL,
        "发票抬头有误 / wrong fapiao title",
        ago(20),
        assignee=service,
    )
    services.case_add_note(actor=service, case=waiting, body="请客户提供正确的税号。", at=ago(19))
    services.case_set_status(actor=service, case=waiting, status=CaseStatus.WAITING, at=ago(19))
    # Resolved within its SLA, and resolved too late.
    for shipment, hours, spent, subject in (
        (shipments[4], 24 * 6, 3, "安装说明缺页 / manual pages missing"),
        (shipments[5], 24 * 12, 24 * 5, "遥控器不工作 / remote control dead"),
    ):
        case = open_case(
            shipment,
            CaseCategory.DEFECTIVE,
            CasePriority.HIGH,
            subject,
            ago(hours),
            assignee=service,
        )
        services.case_add_note(actor=service, case=case, body="已回复客户。", at=ago(hours - 1))
        services.case_set_status(
            actor=service,
            case=case,
            status=CaseStatus.RESOLVED,
            note="已补发配件。",
            at=ago(hours - spent),
        )
    # Closed.
    closed = open_case(
        shipments[6],
        CaseCategory.SERVICE,
        CasePriority.LOW,
        "客服电话无人接听 / nobody answered the phone",
        ago(24 * 20),
    )
    services.case_add_note(actor=manager, case=closed, body="已致歉并回访。", at=ago(24 * 20 - 2))
    services.case_set_status(actor=manager, case=closed, status=CaseStatus.CLOSED, at=ago(24 * 19))

    # A lot that reached several customers: its complaint, and the recall opened from it.
    lot_lines = _lot_lines()
    if len(lot_lines) >= 2:
        ShipmentLine.objects.filter(pk__in=[line.pk for line in lot_lines]).update(lot=DEMO_LOT)
        first = lot_lines[0]
        complaint = services.case_open(
            actor=service,
            request=services.CaseRequest(
                customer=first.shipment.order.customer,
                category=CaseCategory.DEFECTIVE,
                priority=CasePriority.HIGH,
                subject="同批次灯具频闪 / flickering lamps from one lot",
                order=first.shipment.order,
                shipment=first.shipment,
                product=first.product,
                lot=DEMO_LOT,
                assignee=manager,
            ),
            opened_at=ago(6),
        )
        services.case_add_note(
            actor=manager,
            case=complaint,
            body=f"批次 {DEMO_LOT} 的驱动电源疑似有问题，已通知所有收货客户。",
            kind=CaseEventKind.NOTE,
            at=ago(5),
        )
        services.cases_open_for_lot(actor=manager, lot=DEMO_LOT)
    context.stdout.write(f"cases: {Case.objects.count()} demo cases, lot {DEMO_LOT}")
