"""The exceptions queue: each reason a shipment is there, the desk's actions (contact,
re-dispatch, mark returned) with their timeline and audit rows, the page, its export and the
dashboard tile; the on-time rate per carrier and service; the paged rate card."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from oms.models import AuditLog
from oms.workdays import add_working_days
from shipping import attention, returns, services
from shipping.attention import Reason, Redispatch
from shipping.choices import ShipmentStatus
from shipping.models import Carrier, CarrierService, Rate, Shipment, ShipmentEvent
from shipping.ontime import carrier_on_time
from shipping.permissions import ShipmentAction, ShipmentError
from tests.factories import UserFactory
from tests.helpers import page_queries

S = ShipmentStatus
A = ShipmentAction


@pytest.fixture
def dock(shipping):
    """Six dispatched parcels of six orders, one product each, on their way."""
    product = shipping.product(weight_kg=Decimal("0.500"))
    shipping.stock(product, shipping.shanghai, 20)

    def parcel(n):
        order = shipping.allocated_order((product, 1))
        [shipment] = shipping.packed(order)
        return services.shipment_dispatch(
            actor=None, shipment=shipment, details=shipping.details(f"Q{n}")
        )

    return [parcel(n) for n in range(7)]


def progress(shipment, *actions, note="problem"):
    for action in actions:
        services.shipment_record_progress(actor=None, shipment=shipment, action=action, note=note)
    return shipment


def reasons_by_number(user=None):
    rows = attention.attention_list(user or UserFactory(role="logistics"))
    today = timezone.localdate()
    calendar = attention.calendar_for(list(rows), today)
    return {
        row.number: {w.reason for w in attention.reasons_of(row, calendar, today)} for row in rows
    }


def test_every_reason_lands_a_shipment_in_the_queue(dock):
    fine, problem, attempt, quiet, late, back, booked = dock
    progress(problem, A.IN_TRANSIT, A.EXCEPTION)
    progress(attempt, A.IN_TRANSIT, A.OUT_FOR_DELIVERY, A.IN_TRANSIT)
    long_ago = timezone.now() - timedelta(days=20)
    ShipmentEvent.objects.filter(shipment=quiet).update(created_at=long_ago)
    Shipment.objects.filter(pk=late.pk).update(
        expected_delivery_date=add_working_days(timezone.localdate(), -2)
    )
    progress(back, A.RETURNED)
    progress(booked, A.RETURNED)
    returns.shipment_receive_return(actor=None, shipment=booked)

    found = reasons_by_number()
    assert fine.number not in found
    assert found[problem.number] == {Reason.EXCEPTION}
    assert found[attempt.number] == {Reason.FAILED_ATTEMPT}
    assert found[quiet.number] == {Reason.QUIET}
    assert found[late.number] == {Reason.LATE}
    assert found[back.number] == {Reason.RETURN_TO_BOOK}
    assert found[booked.number] == {Reason.RETURN_TO_DECIDE}
    late_row = attention.attention_list(UserFactory(role="admin")).get(pk=late.pk)
    [why] = attention.reasons_of(
        late_row, attention.calendar_for([late_row], timezone.localdate()), timezone.localdate()
    )
    assert why.detail.startswith("2 working days late")
    # Out for delivery again: the failed attempt is behind it.
    progress(attempt, A.OUT_FOR_DELIVERY)
    assert attempt.number not in reasons_by_number()
    # Decided: the booked-in parcel leaves the queue.
    returns.return_close(actor=None, shipment=booked, reason="not wanted")
    assert booked.number not in reasons_by_number()
    assert attention.attention_count(UserFactory(role="admin")) == 4


def test_contact_and_redispatch_are_on_the_timeline_and_audited(dock):
    _fine, problem, *_rest = dock
    progress(problem, A.IN_TRANSIT, A.EXCEPTION)
    desk = UserFactory(role="logistics")
    with pytest.raises(ValidationError, match="Say whom"):
        attention.shipment_record_contact(actor=desk, shipment=problem, note="  ")
    with pytest.raises(PermissionDenied):
        attention.shipment_record_contact(
            actor=UserFactory(role="sales"), shipment=problem, note="x"
        )
    attention.shipment_record_contact(
        actor=desk, shipment=problem, note="收件人明天在家 home tomorrow"
    )
    assert problem.events.get(kind="contact").note == "收件人明天在家 home tomorrow"
    assert AuditLog.objects.filter(action="shipment.contact").count() == 1

    with pytest.raises(ValidationError, match="new carrier or tracking number"):
        attention.shipment_redispatch(
            actor=desk, shipment=problem, details=Redispatch("SF Express", problem.tracking_number)
        )
    with pytest.raises(ValidationError, match="already on another shipment"):
        attention.shipment_redispatch(
            actor=desk, shipment=problem, details=Redispatch("SF Express", "Q0")
        )
    new_date = add_working_days(timezone.localdate(), 2)
    attention.shipment_redispatch(
        actor=desk,
        shipment=problem,
        details=Redispatch("ZTO Express", "ZT-NEW-1", new_date, "relabelled"),
    )
    problem.refresh_from_db()
    assert (problem.status, problem.carrier, problem.tracking_number) == (
        S.IN_TRANSIT,
        "ZTO Express",
        "ZT-NEW-1",
    )
    assert problem.expected_delivery_date == new_date
    event = problem.events.get(kind="redispatched")
    assert event.data["before"] == {"carrier": "SF Express", "tracking_number": "Q1"}
    assert AuditLog.objects.filter(action="shipment.redispatch").count() == 1
    assert problem.number not in reasons_by_number()
    progress(problem, A.DELIVERED)
    with pytest.raises(ShipmentError, match="on its way"):
        attention.shipment_redispatch(
            actor=desk, shipment=problem, details=Redispatch("ZTO Express", "ZT-NEW-2")
        )


def test_queue_page_filters_exports_and_acts(client_for, dock, shipping):
    _fine, problem, attempt, *_rest = dock
    progress(problem, A.IN_TRANSIT, A.EXCEPTION)
    progress(attempt, A.IN_TRANSIT, A.OUT_FOR_DELIVERY, A.IN_TRANSIT)
    client = client_for("logistics")
    html = client.get("/shipments/attention/").content.decode()
    assert problem.number in html
    assert "attention-exception" in html
    assert "attention-failed_attempt" in html
    only_failed = client.get("/shipments/attention/?reason=failed_attempt").content.decode()
    assert attempt.number in only_failed
    assert problem.number not in only_failed
    assert client.get("/shipments/attention/?reason=bogus").status_code == 200
    export = client.get("/shipments/attention/?export=csv")
    text = b"".join(export.streaming_content).decode()
    assert "Carrier reported a problem" in text
    assert "Delivery attempt failed" in text
    # The shipment page shows why, and its forms act.
    page = client.get(problem.get_absolute_url()).content.decode()
    assert 'data-action="redispatch"' in page
    assert 'data-action="contact"' in page
    client.post(f"/shipments/{problem.number}/contact/", {"note": "called"})
    response = client.post(
        f"/shipments/{problem.number}/redispatch/",
        {"carrier": "JD", "tracking_number": "JD-77", "expected_delivery_date": "bad"},
        HTTP_REFERER="/shipments/attention/",
    )
    assert response.status_code == 302
    assert Shipment.objects.get(pk=problem.pk).tracking_number == "Q1"
    client.post(
        f"/shipments/{problem.number}/redispatch/", {"carrier": "JD", "tracking_number": "JD-77"}
    )
    assert Shipment.objects.get(pk=problem.pk).tracking_number == "JD-77"
    assert list(problem.events.filter(kind="contact").values_list("note", flat=True)) == ["called"]
    # The dashboard tile counts what the queue lists.
    dashboard = client.get("/").content.decode()
    assert "Shipments needing attention" in dashboard
    # Roles without the desk's right see no queue and cannot act.
    warehouse = client_for("warehouse")
    assert warehouse.get("/shipments/attention/").status_code == 403
    assert warehouse.post(f"/shipments/{attempt.number}/contact/", {"note": "x"}).status_code == 403


def test_queue_queries_do_not_grow_with_rows(client_for, dock):
    client = client_for("logistics")
    progress(dock[1], A.IN_TRANSIT, A.EXCEPTION)
    few = page_queries(client, "/shipments/attention/")
    for shipment in dock[2:]:
        progress(shipment, A.IN_TRANSIT, A.EXCEPTION)
    many = page_queries(client, "/shipments/attention/")
    assert len(many) == len(few)
    assert not many.row_counts
    # Pinned: session, user, its permissions (2) and groups, the quiet-since calendar, the
    # carriers and warehouses of the filter, the page of rows, the page's working calendar.
    assert len(many) <= 10


def test_returned_parcel_pages_book_in_and_decide(client_for, dock):
    back = progress(dock[0], A.RETURNED)
    warehouse = client_for("warehouse")
    page = warehouse.get(back.get_absolute_url()).content.decode()
    assert 'data-action="receive-return"' in page
    assert 'data-action="reship"' not in page
    warehouse.post(f"/shipments/{back.number}/return/receive/", {"note": "ok"})
    warehouse.post(f"/shipments/{back.number}/return/receive/", {"note": "again"})
    assert back.events.filter(kind="received").count() == 1
    # The warehouse books in; the desk decides.
    assert warehouse.post(f"/shipments/{back.number}/return/reship/").status_code == 403
    desk = client_for("logistics")
    page = desk.get(back.get_absolute_url()).content.decode()
    assert 'data-action="reship"' in page
    assert 'data-action="close-return"' in page
    desk.post(f"/shipments/{back.number}/return/close/", {"note": ""})
    assert back.return_receipt.resolution == "waiting"
    desk.post(f"/shipments/{back.number}/return/reship/", {"note": "again please"})
    back.return_receipt.refresh_from_db()
    assert back.return_receipt.resolution == "reshipped"
    [again] = back.return_receipt.reshipments.all()
    assert again.number in desk.get(back.get_absolute_url()).content.decode()


def test_on_time_rate_per_carrier_and_service(client_for, dock):
    carrier = Carrier.objects.create(code="SF", name="SF Express")
    CarrierService.objects.create(
        carrier=carrier, level="express", max_weight_kg=30, max_side_cm=150
    )
    today = timezone.localdate()
    for shipment, expected in zip(dock[:4], [0, 1, -1, -3], strict=True):
        progress(shipment, A.DELIVERED)
        Shipment.objects.filter(pk=shipment.pk).update(
            expected_delivery_date=today + timedelta(days=expected)
        )
    Shipment.objects.filter(pk=dock[3].pk).update(service="standard")
    rows = dict(carrier_on_time(carrier))
    assert (rows["Express"].delivered, rows["Express"].on_time) == (3, 2)
    assert (rows["Standard"].delivered, rows["Standard"].on_time) == (1, 0)
    assert rows[""].percent == 50
    client = client_for("logistics")
    listing = client.get("/carriers/").content.decode()
    assert "50% (2 of 4)" in listing
    detail = client.get(carrier.get_absolute_url()).content.decode()
    assert "67%" in detail
    # One query for every carrier's rate: the page costs the same with more carriers.
    few = len(page_queries(client, "/carriers/"))
    for n in range(5):
        Carrier.objects.create(code=f"C{n}", name=f"Carrier {n}")
    assert len(page_queries(client, "/carriers/")) == few


def test_rate_card_pages_and_filters(client_for, shipping):
    carrier = Carrier.objects.create(code="BIG", name="Big carrier")
    service = CarrierService.objects.create(
        carrier=carrier, level="standard", max_weight_kg=30, max_side_cm=150
    )
    regions = ["SH", "JS", "ZJ", "AH", "FJ", "JX", "SD", "HA", "HB", "HN", "GD", "GX"]
    Rate.objects.bulk_create(
        Rate(
            service=service,
            origin=origin,
            destination=destination,
            transit_days=2,
            first_weight_kg=1,
            first_fee=10,
            step_kg=1,
            step_fee=2,
        )
        for origin in regions
        for destination in regions
    )
    client = client_for("logistics")
    detail = client.get(carrier.get_absolute_url()).content.decode()
    assert "All rate card rows" in detail
    assert detail.count("<tr") < 40  # a preview, not 144 rows
    page = page_queries(client, f"/carriers/rates/?carrier={carrier.pk}&per_page=25")
    assert not page.row_counts
    filtered = client.get(
        f"/carriers/rates/?carrier={carrier.pk}&origin=GD&destination=ZJ"
    ).content.decode()
    assert filtered.count("<tr") == 2  # the header and the one lane
    assert client.get("/carriers/rates/?origin=XX").status_code == 200
    assert client.get("/carriers/rates/?carrier=999999").status_code == 200
    export = client.get(f"/carriers/rates/?carrier={carrier.pk}&origin=SH&export=csv")
    assert len(b"".join(export.streaming_content).decode().strip().splitlines()) == 13
    # Paged: more rows cost no more queries.
    big = len(page_queries(client, f"/carriers/rates/?carrier={carrier.pk}&per_page=100"))
    assert big == len(page)
