"""Demo bills of materials: crystal chandeliers made from parts bought in, one work order in
each state of its materials: a draft bill of materials (the customer's chandelier waiting for
production, when the orders demo left one), materials confirmed by purchasing, in production
with its components reserved, and done with its components issued through the ledger.

The chandelier gets a default bill of materials (the parts per unit), so each work order
starts with it; the customer's chandelier, placed before, takes it afterwards. The parts are
received through the stock services and every step runs through the work-order services, so reserved = Σ open allocations + reservations and the ledger both hold; the rows
are then dated along the last three weeks. Idempotent: nothing is added once a bill of
materials exists.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from inventory.choices import Unit, WorkOrderStage
from inventory.models import (
    Category,
    ComponentReservation,
    Product,
    StockMovement,
    Warehouse,
    WorkOrder,
    WorkOrderComponent,
    WorkOrderFile,
)
from inventory.product_boms import product_component_set
from inventory.seeders import ledger_backdate
from inventory.services import stock_receive
from inventory.work_orders import (
    work_order_advance,
    work_order_attach_file,
    work_order_confirm_materials,
    work_order_create,
    work_order_use_default_bom,
)
from oms.demo import backdate
from oms.models import AuditLog

# (SKU, name, English name, unit cost, stock bought in, per chandelier)
PARTS = [
    ("PT-FR05", "五头吊灯骨架 镀金", "5-light chandelier frame, gold", Decimal("138.00"), 14, 1),
    ("PT-K930", "K9水晶挂件 30mm", "K9 crystal drop 30 mm", Decimal("1.60"), 2400, 120),
    ("PT-E14H", "E14陶瓷灯头", "E14 ceramic lamp holder", Decimal("2.30"), 160, 5),
    ("PT-CH1M", "吊链 1m 镀金", "Hanging chain 1 m, gold", Decimal("9.50"), 24, 1),
]
# The LED bulbs come from the catalogue (LED bulb E14 5W, white).
BULB_SKU, BULBS_PER_UNIT = "BU-0131", 5


def _parts(warehouse: Warehouse, actor) -> tuple[list[tuple[Product, int]], list[int]]:
    category, _ = Category.objects.get_or_create(
        name="灯具配件", defaults={"name_en": "Lighting parts"}
    )
    parts, receipts = [], []
    for sku, name, name_en, cost, stock, per_unit in PARTS:
        product, _ = Product.objects.get_or_create(
            sku=sku,
            defaults=dict(
                name=name,
                name_en=name_en,
                category=category,
                unit=Unit.PIECE,
                weight_kg=Decimal("0.050"),
                standard_cost=cost,
                tax_class_id="standard",
            ),
        )
        movement = stock_receive(
            actor=actor,
            product=product,
            warehouse=warehouse,
            quantity=stock,
            unit_cost=cost,
            reference="PO-2026-0518",
            note="灯具配件采购 / chandelier parts",
        )
        receipts.append(movement.pk)
        parts.append((product, per_unit))
    bulb = Product.objects.filter(sku=BULB_SKU, is_active=True).first()
    if bulb is not None:
        movement = stock_receive(
            actor=actor,
            product=bulb,
            warehouse=warehouse,
            quantity=40,
            unit_cost=bulb.standard_cost,
            reference="PO-2026-0518",
            note="灯具配件采购 / chandelier parts",
        )
        receipts.append(movement.pk)
        parts.append((bulb, BULBS_PER_UNIT))
    return parts, receipts


DRAWING = """<html><head><style>
@page {{ size: A4 landscape; margin: 15mm }}
body {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 11pt }}
.frame {{ border: 1.5pt solid #000; height: 150mm; position: relative }}
.box {{ position: absolute; border: 1pt solid #333; padding: 2mm }}
</style></head><body>
<h2>{title}</h2>
<div class="frame">
  <div class="box" style="left: 20mm; top: 15mm; width: 90mm; height: 100mm">
    吊链 1 m · 灯体直径 Ø 780 mm · 高 650 mm<br>五头 E14 · K9 水晶挂件 30 mm × 120
  </div>
  <div class="box" style="right: 10mm; bottom: 10mm; width: 85mm">
    客户 / customer: {customer}<br>图号 / drawing no. {number}<br>比例 1:10 · 单位 mm
  </div>
</div></body></html>"""


def _drawing(work_order: WorkOrder, actor, customer: str) -> None:
    from weasyprint import HTML

    pdf = HTML(
        string=DRAWING.format(
            title="水晶吊灯 五头 安装尺寸图 / chandelier dimensions",
            customer=customer,
            number=f"DWG-{work_order.number}",
        )
    ).write_pdf()
    attached = work_order_attach_file(
        actor=actor,
        work_order=work_order,
        upload=SimpleUploadedFile(f"安装尺寸图 {work_order.number}.pdf", pdf, "application/pdf"),
    )

    backdate(
        WorkOrderFile, "uploaded_at", {attached.pk: work_order.created_at + timedelta(hours=1)}
    )


def seed_work_order_boms(context) -> None:
    if WorkOrderComponent.objects.exists():
        return
    chandelier = (
        Product.objects.filter(made_to_order=True, is_active=True, name_en__contains="chandelier")
        .order_by("sku")
        .first()
    )
    # The customer's chandelier still waiting for production, made where the orders demo
    # placed it; otherwise the first active warehouse.
    waiting = (
        WorkOrder.objects.filter(
            product=chandelier, stage=WorkOrderStage.MATERIALS, order_line_id__isnull=False
        )
        .order_by("pk")
        .first()
    )
    warehouse = (
        waiting.warehouse
        if waiting
        else Warehouse.objects.filter(is_active=True).order_by("code").first()
    )
    if chandelier is None or warehouse is None:
        return
    clerk, buyer = context.users.get("warehouse"), context.users.get("purchasing")
    now = context.now
    parts, receipts = _parts(warehouse, clerk)
    ledger_backdate(
        {pk: now - timedelta(days=20, seconds=-30 * i) for i, pk in enumerate(receipts)}
    )

    # The chandelier's default bill of materials: every work order made from now on starts
    # with it, times its quantity.
    for product, per_unit in parts:
        product_component_set(actor=buyer, product=chandelier, component=product, quantity=per_unit)

    def work_order(quantity: int, made: int) -> WorkOrder:
        """A showroom piece built to stock (no order line), with the default bill of
        materials."""
        work_order = work_order_create(product=chandelier, warehouse=warehouse, quantity=quantity)
        backdate(WorkOrder, "created_at", {work_order.pk: now - timedelta(days=made)})
        _audit_backdate(work_order, now - timedelta(days=made))
        return work_order

    def confirm(work_order: WorkOrder, days: float) -> None:
        work_order_confirm_materials(actor=buyer, work_order=work_order)
        moment = now - timedelta(days=days)
        backdate(WorkOrder, "materials_confirmed_at", {work_order.pk: moment})
        _audit_backdate(work_order, moment, action="work_order.materials_confirmed")

    def advance(work_order: WorkOrder, days: float) -> WorkOrder:
        work_order = work_order_advance(actor=clerk, work_order=work_order)
        moment = now - timedelta(days=days)
        _audit_backdate(work_order, moment, action="work_order.advance", latest=True)
        if work_order.stage == WorkOrderStage.PRODUCTION:
            backdate(
                ComponentReservation,
                "created_at",
                dict.fromkeys(
                    work_order.component_reservations.values_list("pk", flat=True), moment
                ),
            )
        if work_order.stage == WorkOrderStage.DONE:
            backdate(WorkOrder, "done_at", {work_order.pk: moment})
            backdate(
                ComponentReservation,
                "issued_at",
                dict.fromkeys(
                    work_order.component_reservations.values_list("pk", flat=True), moment
                ),
            )
            rows = StockMovement.objects.filter(reference=work_order.number).order_by("pk")
            ledger_backdate(
                {
                    pk: moment + timedelta(seconds=i)
                    for i, pk in enumerate(rows.values_list("pk", flat=True))
                }
            )
        return work_order

    # Done: made over two weeks, its parts issued when it was received into stock.
    done = work_order(2, made=17)
    confirm(done, days=16)
    for days in (15, 5, 4):
        done = advance(done, days)
    # In production: its parts reserved on the shelf.
    making = work_order(1, made=9)
    confirm(making, days=8)
    advance(making, days=7)
    # Materials confirmed by purchasing, production not started yet.
    confirmed = work_order(1, made=3)
    confirm(confirmed, days=1)
    # The customer's chandelier: its bill of materials drafted, waiting for purchasing.
    # (placed before the chandelier had a default: it takes it now).
    draft = waiting or work_order(1, made=1)
    if waiting is not None:
        work_order_use_default_bom(actor=buyer, work_order=waiting)
        _audit_backdate(waiting, now - timedelta(hours=12))
    draft.refresh_from_db()
    _drawing(draft, context.users.get("sales1"), draft.reference or "展厅 showroom")
    confirmed.refresh_from_db()
    _drawing(confirmed, buyer, "展厅 showroom")
    context.say(
        f"bills of materials on {done.number} (done), {making.number} (in production), "
        f"{confirmed.number} (materials confirmed) and {draft.number} (draft)"
    )


def _audit_backdate(work_order, moment, *, action="work_order.bom", latest=False) -> None:
    rows = AuditLog.objects.filter(
        action=action, object_type="inventory.workorder", object_id=str(work_order.pk)
    ).order_by("-pk")
    ids = list(
        rows.values_list("pk", flat=True)[:1] if latest else rows.values_list("pk", flat=True)
    )
    backdate(AuditLog, "created_at", dict.fromkeys(ids, moment))
