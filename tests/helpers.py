"""Helpers shared by test modules (fixtures live in conftest.py)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class PageQueries:
    """The SQL that one page view (or one service call) ran; len() is the query count that
    the tests pin."""

    sql: list[str]

    def __len__(self) -> int:
        return len(self.sql)

    @property
    def statements(self) -> list[str]:
        """Without the SAVEPOINT / RELEASE SAVEPOINT that atomic() sends inside the test's
        transaction: outside a test they are the BEGIN and COMMIT, which are not captured."""
        return [s for s in self.sql if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]

    @property
    def row_counts(self) -> list[str]:
        """COUNT(*) statements: list pages never count their rows (annotations may count)."""
        return [statement for statement in self.sql if "COUNT(*)" in statement]


def queries_of(work: Callable[[], object]) -> PageQueries:
    """Run work() and capture its queries."""
    with CaptureQueriesContext(connection) as captured:
        work()
    return PageQueries([query["sql"] for query in captured.captured_queries])


def page_queries(client, url: str) -> PageQueries:
    """GET url and capture its queries. A page that fails must not pass for a cheap one."""
    responses = []
    queries = queries_of(lambda: responses.append(client.get(url)))
    assert responses[0].status_code == 200, f"GET {url} answered {responses[0].status_code}"
    return queries


@dataclass(frozen=True)
class Route:
    """A named route: its name with namespace, its pattern, and the kind of each path
    converter (int, str, uuid; "other" for any other)."""

    name: str
    pattern: URLPattern
    converters: dict[str, str]

    @property
    def view_class(self):
        return getattr(self.pattern.callback, "view_class", None)


CONVERTER_KINDS = {"IntConverter": "int", "StringConverter": "str", "UUIDConverter": "uuid"}


def our_routes() -> list[Route]:
    """Every named route outside Django's admin and the channel API (whose bearer tokens, not
    roles, decide: tests/security/test_channel_api_security.py and the schema fuzz test)."""

    def converters(pattern) -> dict[str, str]:
        found = getattr(pattern.pattern, "converters", {})
        return {k: CONVERTER_KINDS.get(type(c).__name__, "other") for k, c in found.items()}

    def walk(patterns, namespace="", outer=None) -> Iterator[Route]:
        for pattern in patterns:
            kinds = {**(outer or {}), **converters(pattern)}
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin" or pattern.namespace == "api":
                    continue
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, ns, kinds)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield Route(f"{namespace}{pattern.name}", pattern, kinds)

    return list(walk(get_resolver().url_patterns))


ORDER_PAGES = (
    "detail",
    "edit",
    "draft_details",
    "line_add",
    "line_update",
    "line_remove",
    "amend",
    "submit",
    "approve",
    "reject",
    "hold",
    "resume",
    "cancel",
    "boost",
    "start_picking",
    "customer_link_share",
    "customer_link_regenerate",
    "customer_link_revoke",
)


def channel_object(*, active: bool = True):
    """A web shop's channel, switched on or off (the first channels come from the migration)."""
    from orders.intake.tokens import token_create
    from orders.models import Channel

    channel, new = Channel.objects.get_or_create(
        code="fuzz-shop" if active else "fuzz-closed",
        defaults={"name": "Fuzz shop", "kind": "shopify", "secret": "k", "is_active": active},
    )
    if new and active:  # its page lists a token to revoke
        token_create(actor=None, channel=channel, name="sync", scopes=["orders:read"])
    return channel


def webhook_delivery_object():
    """A failed webhook delivery of the fuzz shop (what the resend button acts on)."""
    from orders.models import WebhookDelivery

    return WebhookDelivery.objects.get_or_create(
        channel=channel_object(),
        target="webhook",
        event_key="order.confirmed:SO-FUZZ",
        defaults={
            "event": "order.confirmed",
            "reference": "SO-FUZZ",
            "payload": {"order": {"number": "SO-FUZZ"}},
            "status": "failed",
            "attempts": 6,
            "last_status_code": 500,
            "last_error": "HTTP 500",
        },
    )[0]


def route_kwargs(
    *,
    order,
    approval_rule,
    price_list,
    promotion,
    shipping_rule,
    work_order,
    address,
    product,
    warehouse,
    stock_level,
    shipment,
    message_template,
    carrier_service,
) -> dict[str, dict[str, object]]:
    """The path of every page that shows one object, filled with these objects (the role
    matrix and the fuzz test open every page with real objects)."""
    from orders.services import order_public_token

    customer = address.customer
    slot_pattern, point = delivery_objects(warehouse)
    invoice, credit_note = billing_objects(shipment.order)
    tax_class = tax_class_object()
    inbound = inbound_delivery_object()
    remittance, bank_statement, bank_line = statement_objects(carrier_service.carrier)
    return {
        "billing:cod_remittance_detail": {"pk": remittance.pk},
        "billing:bank_statement_detail": {"pk": bank_statement.pk},
        "billing:bank_line_confirm": {"pk": bank_line.pk},
        "billing:bank_line_ignore": {"pk": bank_line.pk},
        **{f"orders:{page}": {"number": order.number} for page in ORDER_PAGES},
        **{
            f"billing:invoice_{page}": {"pk": invoice.pk}
            for page in ("detail", "issue", "credit", "print", "schedule")
        },
        **{f"billing:credit_note_{page}": {"pk": credit_note.pk} for page in ("detail", "print")},
        "billing:credit_note_refund": {"pk": credit_note.pk},
        "billing:payment_detail": {"pk": credit_note.releases.get().payment_id},
        "billing:credit_apply": {"pk": customer.pk},
        "billing:receivable_customer": {"pk": invoice.customer_id},
        "billing:statement": {"pk": invoice.customer_id},
        **{f"inventory:tax_class_{page}": {"pk": tax_class.pk} for page in ("detail", "edit")},
        **{
            f"orders:channel_{page}": {"pk": channel_object().pk}
            for page in ("detail", "edit", "deactivate")
        },
        "orders:channel_activate": {"pk": channel_object(active=False).pk},
        "orders:webhook_resend": {"pk": webhook_delivery_object().pk},
        "orders:channel_token_create": {"pk": channel_object().pk},
        "orders:channel_token_detail": {
            "pk": channel_object().pk,
            "token_pk": channel_object().api_tokens.get().pk,
        },
        "orders:channel_token_revoke": {
            "pk": channel_object().pk,
            "token_pk": channel_object().api_tokens.get().pk,
        },
        **{f"orders:inbound_{page}": {"pk": inbound.pk} for page in ("detail", "retry")},
        "inventory:tax_rate_create": {"pk": tax_class.pk},
        "customers:fapiao": {"pk": customer.pk},
        **{f"reminders:{page}": {"pk": customer.pk} for page in ("pause", "resume", "lift_hold")},
        **{
            f"orders:approval_rule_{page}": {"pk": approval_rule.pk}
            for page in ("edit", "activate", "deactivate")
        },
        **{
            f"orders:price_list_{page}": {"pk": price_list.pk}
            for page in ("detail", "edit", "prices", "import", "activate", "deactivate")
        },
        **{
            f"orders:promotion_{page}": {"pk": promotion.pk}
            for page in ("edit", "activate", "deactivate")
        },
        **{
            f"orders:shipping_rule_{page}": {"pk": shipping_rule.pk}
            for page in ("edit", "activate", "deactivate")
        },
        **{
            f"inventory:work_order_{page}": {"pk": work_order.pk}
            for page in (
                "advance",
                "detail",
                "component_set",
                "confirm_materials",
                "use_default_bom",
            )
        },
        "inventory:work_order_file_upload": {"pk": work_order.pk},
        "inventory:work_order_file": {
            "pk": work_order.pk,
            "file_pk": work_order_drawing(work_order).pk,
        },
        "inventory:work_order_component_remove": {
            "pk": work_order.pk,
            "component_pk": work_order_component(work_order).pk,
        },
        **{
            f"customers:{page}": {"pk": customer.pk}
            for page in ("detail", "edit", "credit", "address_create", "note_add")
        },
        "customers:address_edit": {"pk": customer.pk, "address_pk": address.pk},
        "inventory:product_detail": {"pk": product.pk},
        "inventory:product_edit": {"pk": product.pk},
        "inventory:forecast_refresh": {"pk": product.pk},
        "inventory:product_component_set": {"pk": product.pk},
        "inventory:product_component_remove": {
            "pk": product.pk,
            "line_pk": product_component(product).pk,
        },
        **{
            f"inventory:{page}": {"pk": warehouse.pk}
            for page in ("warehouse_detail", "warehouse_edit", "count_sheet")
        },
        "inventory:stock_level_edit": {"pk": stock_level.pk},
        **{
            f"inventory:stocktake_{page}": {"pk": stocktake_object(warehouse).pk}
            for page in ("detail", "count", "upload", "template", "sheet", "post", "cancel")
        },
        **{
            f"shipping:{page}": {"number": shipment.number}
            for page in (
                "detail",
                "start_picking",
                "pack",
                "dispatch",
                "progress",
                "carrier",
                "merge",
                "split",
                "pack_station_shipment",
                "pack_station_reset",
                "contact",
                "redispatch",
                "return_receive",
                "return_reship",
                "return_close",
            )
        },
        **{
            f"shipping:{page}": {"number": merged_parcel(shipment).number}
            for page in ("parcel", "parcel_unmerge", "parcel_dispatch", "parcel_label")
        },
        **{
            f"shipping:{page}": {"pk": carrier_service.carrier_id}
            for page in (
                "carrier_detail",
                "carrier_edit",
                "carrier_service_create",
                "rate_import",
            )
        },
        "shipping:carrier_service_edit": {
            "pk": carrier_service.carrier_id,
            "service_pk": carrier_service.pk,
        },
        "shipping:document": {"number": shipment.number, "kind": "packing-list"},
        # The customer's order page: no sign-in, the order's token is the right.
        "shipping:track": {"token": order_public_token(order)},
        "shipping_tracking:callback": {"code": carrier_service.carrier.code},
        "shipping:pickup_code_resend": {"number": shipment.number},
        **{
            f"shipping:{page}": {"number": order.number}
            for page in ("order_slot", "order_slot_book", "order_slot_release", "order_pickup")
        },
        "shipping:slot_pattern_edit": {"pk": slot_pattern.pk},
        "shipping:pickup_point_edit": {"pk": point.pk},
        "message_template_edit": {"pk": message_template.pk},
        "message_template_reset": {"pk": message_template.pk},
        **return_route_kwargs(order),
        **case_routes(shipment),
    }


def return_route_kwargs(order) -> dict[str, dict[str, object]]:
    """An approved return of the order (written directly: the pages only read it), with a
    line and a photo, for every return page; and the customer's return page."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from aftersales.models import ReturnLine, ReturnPhoto, ReturnRequest
    from aftersales.storage import private_storage
    from orders.services import order_public_token

    rma = ReturnRequest.objects.create(
        number=f"RMA-2026-{900000 + order.pk}",
        order=order,
        customer=order.customer,
        status="approved",
        source="staff",
        reason="defective",
        resolution="refund",
    )
    line = ReturnLine.objects.create(request=rma, order_line=order.lines.first(), quantity=1)
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    name = private_storage.save(f"returns/{rma.pk}/matrix.png", ContentFile(png.getvalue()))
    photo = ReturnPhoto.objects.create(
        request=rma,
        file=name,
        original_name="matrix.png",
        content_type="image/png",
        size=len(png.getvalue()),
        width=4,
        height=4,
    )
    reference = {"reference": rma.number}
    return {
        **{
            f"aftersales:return_{page}": reference
            for page in ("detail", "approve", "reject", "cancel", "shipment", "receive", "label")
        },
        "aftersales:return_inspect": {**reference, "line": line.pk},
        "aftersales:return_photo": {**reference, "photo": photo.pk},
        # Resolving (refund, exchange, repair): a POST action on the return's page.
        "aftersales_resolutions:return_resolve": reference,
        # The customer's return page: no sign-in, the order's token is the right.
        "aftersales:public_return": {"token": order_public_token(order)},
    }


def case_routes(shipment) -> dict[str, dict[str, object]]:
    """A complaint about the shipment with a PDF attached, for the case pages."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftersales import case_services

    case = case_services.case_open(
        actor=None,
        request=case_services.CaseRequest(
            customer=shipment.order.customer,
            category="damaged",
            subject="Lampshade broken",
            order=shipment.order,
            shipment=shipment,
        ),
    )
    attachment = case_services.case_attach(
        actor=None,
        case=case,
        upload=SimpleUploadedFile("photo.pdf", b"%PDF-1.4 test", "application/pdf"),
    )
    pages = ("detail", "note", "status", "assign", "attach")
    return {
        **{f"aftersales:case_{page}": {"number": case.number} for page in pages},
        "aftersales:case_attachment": {"number": case.number, "pk": attachment.pk},
    }


def delivery_objects(warehouse):
    """A delivery slot of the warehouse's Mondays and a pickup point at it, for their pages."""
    from datetime import time

    from shipping.models import PickupPoint, SlotPattern

    pattern = SlotPattern.objects.create(
        warehouse=warehouse, weekday=0, starts=time(9), ends=time(12), capacity=10
    )
    point = PickupPoint.objects.create(
        name="Xuhui store",
        warehouse=warehouse,
        region="SH",
        city="Shanghai",
        address="88 Caoxi North Road",
        opening_hours="Mon-Sat 09:00-20:00",
    )
    return pattern, point


def book_a_slot(order, warehouse):
    """The order books an afternoon slot of the next working day (every day offers one)."""
    from datetime import time, timedelta

    from django.utils import timezone

    from oms.workdays import add_working_days
    from shipping.models import SlotPattern
    from shipping.slots import slot_book

    for weekday in range(7):
        SlotPattern.objects.create(
            warehouse=warehouse, weekday=weekday, starts=time(14), ends=time(18), capacity=5
        )
    day = add_working_days(timezone.localdate() + timedelta(days=1), 1)
    return slot_book(actor=None, order=order, warehouse=warehouse, day=day, starts=time(14))


def merged_parcel(shipment):
    """A merged parcel of two new orders of the shipment's customer (same product and
    warehouse), for the parcel pages; made once per shipment."""
    from inventory.services import stock_receive
    from orders.services import LineRequest, order_create, order_submit
    from shipping.merging import shipments_merge
    from shipping.models import MergedParcel
    from shipping.services import shipments_create_for_order

    existing = MergedParcel.objects.filter(customer_id=shipment.order.customer_id).first()
    if existing is not None:
        return existing
    line = shipment.lines.select_related("product").first()
    stock_receive(actor=None, product=line.product, warehouse=shipment.warehouse, quantity=2)
    members = []
    for _ in range(2):
        order = order_create(
            actor=None, customer=shipment.order.customer, lines=[LineRequest(line.product, 1)]
        )
        order_submit(actor=None, order=order)
        members += shipments_create_for_order(actor=None, order=order)
    return shipments_merge(actor=None, shipment=members[0], others=[m.pk for m in members[1:]])


def billing_objects(order):
    """An issued invoice for the order's lines and a credit note for its first line."""
    from django.db import transaction
    from django.utils import timezone

    from billing import services
    from billing.models import Reminder
    from billing.payments import payment_record
    from customers.models import Customer
    from oms.money import ZERO
    from tests.billing.conftest import taxpayer_id

    Customer.objects.filter(pk=order.customer_id).update(taxpayer_id=taxpayer_id(7))
    order.customer.refresh_from_db()
    shares = [
        services.whole_line(line, prices_include_tax=order.prices_include_tax)
        for line in order.lines.select_related("product")
    ]
    with transaction.atomic():
        invoice = services._new_invoice(
            order, shares, shipping=order.shipping_fee, actor=None, strict=True
        )
        # Paid in full, then credited: the credit note releases credit a refund can pay back.
        payment_record(
            actor=None,
            customer=order.customer,
            amount=invoice.total,
            method="alipay",
            received_on=invoice.issue_date,
            idempotency_key=f"sample-{invoice.pk}",
            reference="2026113022001",
            invoices=[invoice],
        )
        note = services._credit(
            invoice, shares[:1], shipping=ZERO, reason="manual", actor=None, note="sample"
        )
        # Its first reminder (billing.dunning), for the reminders list.
        Reminder.objects.create(
            invoice=invoice,
            customer_id=order.customer_id,
            level=1,
            sent_at=timezone.now(),
            days_overdue=10,
            open_amount=invoice.total - invoice.amount_credited,
        )
    return invoice, note


def open_invoice(order):
    """An issued invoice nobody paid (the receivables list's rows); the customer needs its
    fapiao details first (billing_objects sets them)."""
    from django.db import transaction

    from billing import services

    order.customer.refresh_from_db()
    shares = [
        services.whole_line(line, prices_include_tax=order.prices_include_tax)
        for line in order.lines.select_related("product")
    ]
    with transaction.atomic():
        return services._new_invoice(
            order, shares, shipping=order.shipping_fee, actor=None, strict=True
        )


def statement_objects(carrier):
    """An imported COD remittance and bank statement, each with a line whose texts are
    hostile (written directly: the import services are tested in tests/billing)."""
    from datetime import date

    from billing.models import BankStatement, BankStatementLine, CodRemittance, CodRemittanceLine

    remittance = CodRemittance.objects.create(
        carrier=carrier, file_name="=cmd.csv", digest="a" * 64, rows=1
    )
    CodRemittanceLine.objects.create(
        remittance=remittance, line_no=2, tracking_number="@T9", outcome="unknown", note="=1+1"
    )
    statement = BankStatement.objects.create(file_name="-bank.csv", digest="b" * 64, rows=1)
    line = BankStatementLine.objects.create(
        statement=statement,
        line_no=2,
        booked_on=date(2026, 11, 20),
        amount=12,
        payer='=HYPERLINK("x")',
        reference="@ref",
        fingerprint="c" * 64,
    )
    return remittance, statement, line


def stocktake_object(warehouse):
    """The warehouse's open stocktake (opened the first time it is asked for)."""
    from inventory.models import StockCount
    from inventory.stocktake import stocktake_open

    open_count = StockCount.objects.filter(warehouse=warehouse, status="open").first()
    return open_count or stocktake_open(actor=None, warehouse=warehouse)


def work_order_component(work_order):
    """A line of the work order's bill of materials (made the first time it is asked for)."""
    from inventory.models import WorkOrderComponent
    from tests.factories import ProductFactory

    return WorkOrderComponent.objects.filter(work_order=work_order).first() or (
        WorkOrderComponent.objects.create(
            work_order=work_order, product=ProductFactory(), quantity=2
        )
    )


def product_component(product):
    """A line of the product's default bill of materials (made the first time)."""
    from inventory.models import ProductComponent
    from tests.factories import ProductFactory

    return ProductComponent.objects.filter(product=product).first() or (
        ProductComponent.objects.create(product=product, component=ProductFactory(), quantity=1)
    )


def work_order_drawing(work_order):
    """A drawing of the work order's (a small PDF, stored the first time it is asked for)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from inventory.models import WorkOrderFile
    from inventory.work_orders import work_order_attach_file

    return WorkOrderFile.objects.filter(work_order=work_order).first() or work_order_attach_file(
        actor=None,
        work_order=work_order,
        upload=SimpleUploadedFile("drawing.pdf", b"%PDF-1.4\n% drawing\n", "application/pdf"),
    )


def inbound_delivery_object():
    """A failed inbound delivery of the fuzz shop (the delivery pages, "process again")."""
    from orders.intake.inbound_models import InboundDelivery

    return InboundDelivery.objects.get_or_create(
        channel=channel_object(),
        delivery_id="fuzz-1",
        defaults={
            "kind": "webhook",
            "payload": {"id": 1},
            "status": "failed",
            "error_code": "refused",
            "error_params": {"text": "x"},
        },
    )[0]


def tax_class_object():
    from inventory.models import TaxClass

    return TaxClass.objects.get(code="standard")


def carrier_service():
    """A carrier with one service level, for the carrier pages."""
    from shipping.models import Carrier, CarrierService

    carrier = Carrier.objects.create(code="SF", name="SF Express")
    return CarrierService.objects.create(
        carrier=carrier, level="express", max_weight_kg=30, max_side_cm=150
    )


def rule_objects():
    """One active rule of each kind that has pages: (approval rule, promotion, shipping rule)."""
    from orders.models import ApprovalRule, Promotion, ShippingRule

    rule = ApprovalRule.objects.create(
        name="big", condition="amount_at_least", threshold=10**6, required_role="manager"
    )
    promotion = Promotion.objects.create(
        name="spring",
        kind="percent",
        value=5,
        scope="all",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
    )
    return rule, promotion, ShippingRule.objects.create(name="standard", base_fee=12)


class _RolledBack(Exception):
    pass


def rolled_back(work: Callable[[], object]) -> object:
    """Run `work` in a transaction that then rolls back (a request failing after it); returns
    what `work` returned, so a test can check what it saw before the rollback."""
    seen: list[object] = []
    try:
        with transaction.atomic():
            seen.append(work())
            raise _RolledBack
    except _RolledBack:
        pass
    return seen[0]
