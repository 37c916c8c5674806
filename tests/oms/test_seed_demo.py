import statistics
import subprocess
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from aftersales.models import ReturnRequest
from billing.reminder_seeders import DEMO as REMINDER_DEMO
from customers.import_seeders import FILE_NAME as IMPORT_DEMO_FILE
from customers.models import Customer, CustomerNote
from inventory.models import (
    Product,
    StockLevel,
    StockMovement,
    Warehouse,
    WorkOrder,
    WorkOrderFile,
)
from inventory.selectors import ledger_drift, low_stock
from oms.demo import SPRING_FESTIVAL
from oms.models import ImportJob, OutboxMessage
from oms.roles import ROLES
from orders.intake.import_seeders import FILE_NAME as ORDERS_IMPORT_FILE
from orders.intake.import_seeders import ORDERS as ORDERS_IMPORT_ORDERS
from orders.intake.inbound_models import DeliveryStatus, InboundDelivery
from orders.intake.seeders import BUYERS as API_BUYERS
from orders.models import Allocation, Approval, Order, OrderEvent
from orders.seeders.inbound import DEMO_BUYERS as INBOUND_BUYERS
from orders.selectors import reservation_drift
from shipping.choices import ShipmentStatus
from shipping.models import Shipment, ShipmentEvent, TrackingEvent
from shipping.tracking.statuses import SHIPMENT_STATUS_OF

# Demo orders are written by several threads, each with its own connection: real commits.
pytestmark = pytest.mark.django_db(transaction=True)


def seed():
    call_command("seed_demo", customers=40, orders=120, stdout=open("/dev/null", "w"))  # noqa: SIM115


def row_counts() -> tuple[int, ...]:
    models = (Warehouse, Product, Customer, StockLevel, StockMovement, WorkOrder, Order)
    models += (OrderEvent, Approval, Allocation, Shipment, ShipmentEvent, CustomerNote)
    return tuple(model.objects.count() for model in models)


def test_seed_demo_is_idempotent_and_consistent(django_user_model):
    """One seeding (it takes a while) checked for consistency, states and history."""
    seed()
    counts = row_counts()
    assert counts[0] >= 4
    assert counts[1] >= 190
    # The reminders demo's own customers, the return resolutions demo's one, the five the
    # demo import made (of its eight rows: two errors, one twice), the buyers the channel
    # API's demo orders came from (each once, however many orders) and the buyers of the
    # inbound channels' demo orders.
    assert counts[2] == 40 + len(REMINDER_DEMO) + 1 + 5 + len(API_BUYERS) + INBOUND_BUYERS
    imported = ImportJob.objects.get(file_name=IMPORT_DEMO_FILE, dry_run=False)
    assert (imported.status, imported.created, imported.errors, imported.skipped) == (
        "done",
        5,
        2,
        1,
    )
    assert imported.checked.dry_run
    orders_import = ImportJob.objects.get(file_name=ORDERS_IMPORT_FILE, dry_run=False)
    assert (orders_import.status, orders_import.errors) == ("done", 3)
    shop_orders = Order.objects.filter(channel_id="import", external_reference__startswith="SHOP-")
    assert shop_orders.count() == ORDERS_IMPORT_ORDERS
    # Placed in batches, then allocated as the workers would: none is left merely confirmed.
    assert not shop_orders.filter(status="confirmed").exists()
    assert shop_orders.filter(status__in=["allocated", "backordered", "pending_review"]).exists()
    seed()
    assert row_counts() == counts  # a second run adds nothing
    assert list(ledger_drift()) == []
    # An inbound delivery of each platform style, in several states.
    assert set(InboundDelivery.objects.values_list("channel__kind", flat=True)) == {
        "shopify",
        "woocommerce",
        "taobao",
        "jd",
        "pinduoduo",
    }
    assert set(InboundDelivery.objects.values_list("status", flat=True)) == {
        DeliveryStatus.PROCESSED,
        DeliveryStatus.FAILED,
        DeliveryStatus.WAITING_FOR_MAPPING,
    }
    assert list(reservation_drift()) == []
    check_customer_messages()
    assert low_stock().exists()
    assert Product.objects.filter(name_en__contains="ceiling").exists()
    assert Warehouse.objects.values("region").distinct().count() >= 4
    for role in ROLES:
        if role != "admin":
            assert django_user_model.objects.filter(groups__name=role).exists(), role

    # Every state an order can reach today.
    # The demo's 120 orders; the shipping demo adds a few of its own (a merged parcel's).
    assert Order.objects.filter(external_reference__startswith="DEMO-").count() == 120
    statuses = set(Order.objects.values_list("status", flat=True))
    expected = {"draft", "pending_review", "confirmed", "backordered", "in_production"}
    assert expected | {"allocated", "picking", "cancelled"} <= statuses, statuses
    assert Order.objects.filter(status="picking", picking_started_at__isnull=False).exists()
    assert Order.objects.filter(status="allocated", on_hold=False).exists()
    assert Order.objects.filter(on_hold=True).exists()
    rejected = OrderEvent.objects.filter(kind="rejected").values("order")
    assert Order.objects.filter(status="draft", pk__in=rejected).exists()
    check_history()
    check_shipments()
    check_billing()
    check_customer_page()
    check_contact_notes()
    check_gaps()
    check_reminders()
    check_case_returns()
    check_channel_webhooks()


def check_channel_webhooks():
    """The web shop's webhook log shows every state, each row at its event's moment."""
    from orders.models import WebhookDelivery

    deliveries = WebhookDelivery.objects.filter(channel_id__isnull=False)
    assert set(deliveries.values_list("status", flat=True)) == {"sent", "pending", "failed"}
    assert {"order.confirmed", "order.shipped"} <= set(deliveries.values_list("event", flat=True))
    shipped = deliveries.filter(event="order.shipped", status="sent").first()
    assert shipped.payload["shipment"]["tracking_numbers"]
    assert shipped.created_at < timezone.now() - timedelta(hours=1)


def check_case_returns():
    """A demo complaint that led to a return: linked, and told on the case's timeline."""
    from aftersales.models import CaseEvent

    linked = ReturnRequest.objects.filter(case__isnull=False).select_related("case")
    assert linked.exists()
    for rma in linked:
        assert rma.case.order_id == rma.order_id
        assert CaseEvent.objects.filter(case=rma.case, kind="return", to_value=str(rma.pk)).exists()


def check_gaps():
    """A finished batch print of packing lists to download (one, after two runs), products
    with and without barcodes, and an order whose every parcel came back."""
    from pypdf import PdfReader

    from oms.filejobs import file_job_path
    from oms.models import FileJob

    [job] = FileJob.objects.filter(kind="shipping.documents", parameters__demo=True)
    assert job.status == "done"
    assert job.parameters["document"] == "packing-list"
    path = file_job_path(job)
    assert path is not None
    assert len(job.parameters["shipments"]) == 8
    assert len(PdfReader(path).pages) >= 8
    assert Product.objects.exclude(barcode="").count() > Product.objects.filter(barcode="").count()
    assert Product.objects.filter(barcode="").exists()
    returned = Order.objects.filter(fulfilment_status="returned")
    assert returned.exists()
    assert OrderEvent.objects.filter(
        order__in=returned, kind="returned", message__code="all_returned"
    ).exists()


def check_history():
    """Orders spread over a seasonal history, each timeline in order and in the past."""
    now = timezone.now()
    today = timezone.localdate(now)
    orders = Order.objects.all()
    created = [timezone.localtime(c) for c in orders.values_list("created_at", flat=True)]
    assert (now - min(created)).days >= 15 * 30
    assert max(created) <= now

    # Weeks before Spring Festival and around 11.11 are busy.
    days = [c.date() for c in created]
    weeks = Counter((today - day).days // 7 for day in days)
    median_week = max(statistics.median(weeks.get(w, 0) for w in range(78)), 1)

    def per_week(first: date, last: date) -> float:
        return sum(first <= day <= last for day in days) * 7 / ((last - first).days + 1)

    year = today.year if (today.month, today.day) > (11, 11) else today.year - 1
    assert per_week(date(year, 11, 1), date(year, 11, 11)) > 1.5 * median_week
    history_start = today - timedelta(days=548)
    festival = max(
        day
        for day in SPRING_FESTIVAL.values()
        if day - timedelta(days=24) >= history_start and day - timedelta(days=8) <= today
    )
    before = per_week(festival - timedelta(days=24), festival - timedelta(days=8))
    assert before > 1.5 * median_week

    # Old orders have moved on: hardly any draft or review older than two months.
    stale = orders.filter(
        status__in=["draft", "pending_review"], created_at__lt=now - timedelta(days=60)
    )
    assert stale.count() <= 3
    assert orders.filter(
        created_at__lt=now - timedelta(days=180), picking_started_at__isnull=False
    ).exists()

    # Timelines stay in order and in the past; numbers carry the year they were made in.
    assert not OrderEvent.objects.filter(created_at__gt=now).exists()
    for order in orders.prefetch_related("events"):
        moments = [event.created_at for event in order.events.all()]
        assert moments == sorted(moments), order.number
        assert order.created_at <= moments[0]
        if order.channel_id != "import":  # an imported order keeps its day, its events are now
            assert moments[0] < order.created_at + timedelta(seconds=5), order.number
        year = timezone.localtime(order.created_at).year
        assert order.number.startswith(f"SO-{year}-"), order.number
        if order.confirmed_at:
            assert order.created_at <= order.confirmed_at <= now
    for approval in Approval.objects.exclude(decided_at=None).select_related("order"):
        assert approval.order.created_at <= approval.created_at <= approval.decided_at <= now
    for allocation in Allocation.objects.select_related("line__order"):
        assert allocation.line.order.created_at <= allocation.created_at <= now
    for work_order in WorkOrder.objects.all():
        year = timezone.localtime(work_order.created_at).year
        assert work_order.number.startswith(f"WO-{year}-"), work_order.number
        # Made for an order's shortage, for a repair a return asked for, or built to stock
        # (the bill-of-materials demo's showroom chandeliers).
        if work_order.order_line_id is None and not work_order.reference:
            continue
        if work_order.reference.startswith("RMA-"):
            assert ReturnRequest.objects.filter(number=work_order.reference).exists()
        else:
            assert Order.objects.filter(number=work_order.reference).exists()
    # The opening stock is older than every order, and the ledger still follows its numbers.
    opening = StockMovement.objects.filter(reference="OPENING")
    assert max(opening.values_list("created_at", flat=True)) < min(created)
    for movement in StockMovement.objects.filter(reference__startswith="WO-"):
        assert WorkOrder.objects.filter(number=movement.reference).exists()
    assert Customer.objects.filter(created_at__lt=min(created)).count() == 40
    check_bills_of_materials()


def check_bills_of_materials():
    """A work order with a bill of materials in each state: drafted, materials confirmed, in
    production with its components reserved, done with them issued through the ledger."""
    with_bom = WorkOrder.objects.filter(components__isnull=False).distinct()
    materials = with_bom.filter(stage="materials")
    assert materials.filter(materials_confirmed_at=None).exists()
    assert materials.filter(materials_confirmed_by__groups__name="purchasing").exists()
    # The customer's drawing, a real PDF kept with the work order.
    drawing = WorkOrderFile.objects.filter(work_order__in=materials).first()
    assert drawing is not None
    with drawing.file.open("rb") as pdf:
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.read(), capture_output=True, check=True
        ).stdout.decode()
    assert "安装尺寸图" in text
    making = with_bom.get(stage="production")
    assert making.component_reservations.count() == making.components.count()
    assert not making.component_reservations.exclude(issued_at=None, released_at=None).exists()
    done = with_bom.get(stage="done")
    assert not done.component_reservations.filter(issued_at=None).exists()
    issued = StockMovement.objects.filter(reference=done.number, kind="issue", reason="production")
    assert issued.count() == done.components.count()
    now = timezone.now()
    for work_order in with_bom:
        moments = [work_order.created_at, work_order.materials_confirmed_at, work_order.done_at]
        moments = [m for m in moments if m]
        assert moments == sorted(moments), work_order.number
        assert moments[-1] <= now


def check_shipments():
    """Every shipment state is there, each timeline in order, in the past and after its
    order's confirmation; numbers carry their year; goods left once per shipment."""
    now = timezone.now()
    statuses = set(Shipment.objects.values_list("status", flat=True))
    assert set(ShipmentStatus.values) <= statuses, set(ShipmentStatus.values) - statuses
    for shipment in Shipment.objects.select_related("order").prefetch_related("events"):
        moments = [event.created_at for event in shipment.events.all()]
        assert moments == sorted(moments), shipment.number
        assert moments[-1] <= now, shipment.number
        assert shipment.created_at <= moments[0] < shipment.created_at + timedelta(seconds=5)
        # A shipment comes after its order's confirmation (a store pickup's or a remainder's
        # is made before picking starts).
        if shipment.order.confirmed_at:
            assert shipment.order.confirmed_at <= moments[0], shipment.number
        year = timezone.localtime(shipment.created_at).year
        assert shipment.number.startswith(f"SH-{year}-"), shipment.number
        issues = StockMovement.objects.filter(kind="issue", reference=shipment.number)
        # The goods left with a carrier, or with the customer at a pickup point.
        left_at = shipment.dispatched_at or (shipment.pickup_point_id and shipment.delivered_at)
        assert issues.exists() == bool(left_at), shipment.number
        for movement in issues:  # dated with the dispatch, seconds apart at most
            assert abs(movement.created_at - left_at) < timedelta(seconds=5)
    # The carriers' news moved them: each latest tracking event says where the shipment is,
    # and every event lies between its dispatch and now.
    moved = Shipment.objects.exclude(
        status__in=["pending", "picking", "packed", "cancelled", "ready_for_pickup"]
    ).filter(pickup_point=None)  # collected in store: no carrier
    for shipment in moved.exclude(status="dispatched").prefetch_related("tracking_events"):
        events = list(shipment.tracking_events.all())  # newest first
        assert events, shipment.number
        assert SHIPMENT_STATUS_OF[events[0].status] == shipment.status, shipment.number
        assert all(shipment.dispatched_at < e.event_time <= now for e in events), shipment.number
        assert {e.tracking_number for e in events} == {shipment.tracking_number}
    # The carriers speak their own codes: Kuaidi100 states, the webhook's words.
    codes = set(TrackingEvent.objects.values_list("carrier__tracking_kind", "raw_code"))
    assert ("kuaidi100", "0") in codes, codes
    assert {("kuaidi100", "301"), ("kuaidi100", "304")} & codes, codes
    assert any(kind == "webhook" and code.isupper() for kind, code in codes), codes
    delivered = Order.objects.filter(status="delivered")
    assert delivered.filter(fulfilment_status="fulfilled").exists()
    # The latest parcels' news reached their customers (shipping.message_seeders), with the
    # customer's order page, at the moments the parcels moved.
    told = OutboxMessage.objects.filter(event_code__startswith="shipment.")
    dispatched = told.filter(event_code="shipment.dispatched", status="sent")
    assert dispatched.exists()
    tracking_numbers = set(Shipment.objects.values_list("tracking_number", flat=True))
    for message in dispatched:
        assert any(n and n in message.body for n in tracking_numbers), message.body
        assert message.channel == "sms" or "/track/" in message.body, message.body
    assert not told.filter(created_at__gt=now).exists()
    assert not told.filter(status="pending").exists()  # nothing left for the worker to send


def check_contact_notes():
    """A few customers have contact notes by staff, written in the past."""
    notes = CustomerNote.objects.all()
    assert notes.values("customer").distinct().count() >= 5
    assert not notes.filter(author__isnull=True).exists()
    assert not notes.filter(created_at__gte=timezone.now()).exists()


def check_customer_messages():
    """Replayed history tells no (fictional) customer about an order of last year; the latest
    orders', invoices' and payments' news was told (orders.message_seeders and
    billing.message_seeders), sent back then, one of them bounced."""
    told = OutboxMessage.objects.filter(recipient_ref__startswith="customers.customer:")
    codes = set(told.values_list("event_code", flat=True))
    expected = {"order.received", "order.confirmed", "order.production", "invoice.issued"}
    expected |= {"payment.received"}
    if (
        Order.objects.filter(status="backordered", external_reference__startswith="DEMO-")
        .exclude(channel__in=("web_shop", "marketplace"))
        .exists()
    ):
        expected.add("order.backordered")
    assert expected <= codes, codes
    order_news = told.filter(event_code__startswith="order.")
    assert order_news.count() < Order.objects.count()  # the latest, not the whole history
    assert not order_news.filter(about_refs=[]).exists()
    [failed] = told.filter(status="failed")
    assert failed.last_error
    assert not told.filter(status="pending").exists()  # nothing left for the worker to send
    assert told.filter(status="sent", sent_at__isnull=False).count() > 20


def check_reminders():
    """Every reminder level, a credit hold put by the final notice, a paused customer, and a
    channel order of the held customer waiting in review for the credit hold."""
    from billing.models import CustomerDunning, Reminder

    assert set(Reminder.objects.values_list("level", flat=True)) == {1, 2, 3}
    held = CustomerDunning.objects.get(hold_automatic=True)
    assert held.customer.credit_hold
    assert CustomerDunning.objects.filter(reminders_paused=True).exists()
    waiting = Order.objects.get(customer=held.customer, status="pending_review")
    assert waiting.approvals.filter(reasons__contains=[{"code": "credit_hold"}]).exists()


def check_billing():
    """Invoices by the orders' terms: gapless numbers per year rising with their dates, a held
    invoice waiting for fapiao details, and credit notes for each kind of correction."""
    from billing.models import CreditNote, Invoice

    issued = Invoice.objects.exclude(number=None)
    assert issued.exists()
    assert Invoice.objects.filter(status="held", number=None).exists()
    by_year: dict[int, list] = {}
    for number, day in issued.order_by("number").values_list("number", "issue_date"):
        by_year.setdefault(day.year, []).append((int(number.rsplit("-", 1)[1]), day))
        assert number.startswith(f"INV-{day.year}-")
    for rows in by_year.values():
        assert [n for n, _ in rows] == list(range(1, len(rows) + 1))
        assert [d for _, d in rows] == sorted(d for _, d in rows)
    assert issued.filter(shipment__isnull=False).exists()  # on account: per shipment
    assert issued.filter(shipment__isnull=True).exists()  # prepaid: per order
    assert {"amendment", "cancellation", "manual"} <= set(
        CreditNote.objects.values_list("reason", flat=True)
    )
    assert max(issued.values_list("issued_at", flat=True)) <= timezone.now()
    # The shipping's VAT: demo orders with a fee carry it, and the invoices carrying the fee
    # carry the order's, to the cent.
    taxed = Order.objects.filter(shipping_fee__gt=0, shipping_tax__gt=0)
    assert taxed.exists()
    assert not Order.objects.filter(shipping_fee__gt=0, shipping_tax=0).exists()
    for order in taxed.exclude(status="cancelled")[:50]:
        assert order.total == order.subtotal + order.tax_total + order.shipping_fee
        for invoice in issued.filter(order=order, shipping_fee__gt=0, credit_notes__isnull=True):
            assert invoice.shipping_fee == order.shipping_fee
            assert invoice.shipping_tax == order.shipping_tax
    check_payments()
    check_prepaid_dispatched_paid()
    check_installment_plans()


def check_installment_plans():
    """Invoices split 30/70 (billing.schedule_seeders): one with a part paid, one overdue."""
    from billing.models import Installment

    planned = Installment.objects.filter(position=2).values("invoice")
    parts = Installment.objects.filter(invoice__in=planned)
    assert parts.filter(amount_paid__gt=0).exists()
    assert parts.filter(
        due_date__lt=timezone.localdate(), amount__gt=F("amount_paid") + F("amount_credited")
    ).exists()


def check_prepaid_dispatched_paid():
    """Every prepaid order that left the warehouse was paid by then (billing's dispatch guard):
    its invoices are issued and settled, the last payment dated no later than the dispatch."""
    from billing.models import Invoice, PaymentAllocation
    from billing.prepaid_seeders import dispatched_prepaid_days

    days = dispatched_prepaid_days()
    assert days
    invoices = Invoice.objects.filter(order_id__in=days)
    assert not invoices.filter(status="held").exists()
    for invoice in invoices.exclude(status="credited"):
        assert invoice.open_amount <= 0, invoice
    late = PaymentAllocation.objects.filter(
        invoice__order_id__in=days, payment__idempotency_key__startswith="demo-prepaid-"
    ).values_list("invoice__order_id", "payment__received_on")
    assert all(received <= days[order_id] for order_id, received in late)


def check_payments():
    """Paid in full, in part, too much (credit), a refund of a credit note and a credit
    kept, by several methods; every invariant of billing.models.payments holds."""
    from billing.models import Invoice, Payment, PaymentRelease
    from tests.billing.test_payments import assert_invariants

    issued = Invoice.objects.exclude(number=None).filter(total__gt=0)
    assert issued.filter(
        amount_paid__gt=0, amount_paid__lt=F("total") - F("amount_credited")
    ).exists()
    assert issued.filter(amount_paid=F("total") - F("amount_credited"), amount_paid__gt=0).exists()
    assert issued.filter(amount_paid=0, amount_credited=0).exists()  # still open
    assert Payment.objects.filter(kind="receipt", unapplied__gt=0).exists()
    assert Payment.objects.filter(kind="refund", credit_note__isnull=False).exists()
    refunded = Payment.objects.filter(kind="refund").values("credit_note")
    assert PaymentRelease.objects.exclude(credit_note__in=refunded).exists()  # kept as credit
    assert len(set(Payment.objects.values_list("method", flat=True))) >= 4
    assert max(Payment.objects.values_list("received_on", flat=True)) <= timezone.localdate()
    assert_invariants()


def check_customer_page():
    """The customer's own changes: ratings from five stars to one (one changed since), and
    notes for the courier typed on the order page."""
    from aftersales.models import OrderFeedback

    ratings = set(OrderFeedback.objects.values_list("rating", flat=True))
    assert len(ratings) >= 3, ratings
    assert OrderFeedback.objects.exclude(comment="").exists()
    assert OrderFeedback.objects.filter(edits__gt=0).exists()
    noted = Order.objects.exclude(delivery_note="")
    assert noted.exists()
    assert noted.filter(public_token__isnull=False).count() == noted.count()
