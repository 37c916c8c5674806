"""Carriers, rate card import (all or nothing, a report per row), the carrier choice with its
reasons, the override, and the pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oms.models import AuditLog
from oms.workdays import add_working_days
from shipping import carrier_services
from shipping.carrier_seeders import rate_card_csv
from shipping.choice import choose_carrier
from shipping.choices import ShipmentEventKind
from shipping.models import Rate, Shipment
from shipping.permissions import ShipmentError
from tests.factories import UserFactory

HEADER = ",".join(carrier_services.RATE_COLUMNS)


def lane(level, origin, destination, days, first_fee, step_fee="2", **extra):
    row = {name: "0" for name in carrier_services.RATE_COLUMNS}
    row.update(
        service=level,
        origin=origin,
        destination=destination,
        transit_days=str(days),
        first_weight_kg="1",
        first_fee=str(first_fee),
        step_kg="1",
        step_fee=str(step_fee),
    )
    row.update({k: str(v) for k, v in extra.items()})
    return row


def make_carrier(code, *, cod=False, level="standard", max_kg="30", lanes=()):
    carrier = carrier_services.carrier_save(
        actor=None,
        carrier=None,
        data={
            "code": code,
            "name": f"{code} carrier",
            "active": True,
            "supports_cod": cod,
            "supports_insurance": False,
            "fragile_goods": False,
            "tracking_kind": "manual",
        },
    )
    carrier_services.carrier_service_save(
        actor=None,
        carrier=carrier,
        service=None,
        data={
            "level": level,
            "active": True,
            "volumetric_divisor": 6000,
            "max_weight_kg": Decimal(max_kg),
            "max_side_cm": Decimal("120"),
        },
    )
    report = carrier_services.rate_import(
        actor=None, carrier=carrier, text=rate_card_csv(list(lanes)), dry_run=False
    )
    assert report.ok, (report.errors, [r.errors for r in report.bad_rows])
    return carrier


@pytest.fixture
def carriers(db):
    """From Shanghai (the test warehouse) to Zhejiang (the test customers): a cheap slow
    carrier, a dear fast one with cash on delivery, and one that serves only the north."""
    return {
        "slow": make_carrier("SLOW", lanes=[lane("standard", "SH", "zone:east", 5, 6)]),
        "fast": make_carrier(
            "FAST",
            cod=True,
            level="express",
            lanes=[lane("express", "SH", "ZJ", 1, 15, cod_fixed_fee="4", cod_fixed_up_to="5000")],
        ),
        "north": make_carrier("NORTH", lanes=[lane("standard", "SH", "zone:north", 2, 3)]),
    }


@pytest.fixture
def packed(shipping):
    product = shipping.product(weight_kg=Decimal("1.500"))
    order = shipping.allocated_order((product, 2), stock=[(product, shipping.shanghai, 2)])
    [shipment] = shipping.packed(order)
    return shipment


def due(shipment, day):
    shipment.order.requested_delivery_date = day
    shipment.order.save(update_fields=["requested_delivery_date"])


def test_the_cheapest_service_that_covers_the_destination_wins(carriers, packed):
    choice = choose_carrier(packed, start=date(2026, 12, 1))
    slow, fast, north = (
        next(o for o in choice.options if o.service.carrier == carriers[c])
        for c in ("slow", "fast", "north")
    )
    # 3 kg: the first kilogram and two more.
    assert slow.cost == Decimal("10.00")  # 6 + 2 × 2 (its zone row stands for Zhejiang)
    assert fast.cost == Decimal("19.00")  # 15 + 2 × 2
    assert north.refusals == ("Does not serve this lane.",)
    assert choice.chosen == slow
    assert "Cheapest of 2 services" in choice.reason
    assert slow.arrives == add_working_days(date(2026, 12, 1), 5)
    assert [o.service.carrier.code for o in choice.options] == ["SLOW", "FAST", "NORTH"]


def test_a_due_date_rules_out_the_slow_service(carriers, packed):
    start = date(2026, 12, 1)
    due(packed, add_working_days(start, 2))
    choice = choose_carrier(packed, start=start)
    assert choice.chosen.service.carrier == carriers["fast"]
    assert "arrive by" in choice.reason
    slow = next(o for o in choice.options if o.service.carrier == carriers["slow"])
    assert slow.late
    assert slow.usable


def test_when_nothing_arrives_in_time_the_first_arrival_wins(carriers, packed):
    due(packed, date(2020, 1, 1))
    choice = choose_carrier(packed, start=date(2026, 12, 1))
    assert choice.chosen.service.carrier == carriers["fast"]
    assert "No service arrives by 2020-01-01" in choice.reason


def test_cash_on_delivery_needs_a_carrier_that_collects_it(carriers, packed):
    Shipment.objects.filter(pk=packed.pk).update(cod_amount=Decimal("300"))
    packed.refresh_from_db()
    choice = choose_carrier(packed, start=date(2026, 12, 1))
    assert choice.chosen.service.carrier == carriers["fast"]
    assert choice.chosen.quote.cod_fee == Decimal("4.00")
    slow = next(o for o in choice.options if o.service.carrier == carriers["slow"])
    assert "Does not collect cash on delivery." in slow.refusals


def test_weight_and_size_limits(carriers, packed):
    Shipment.objects.filter(pk=packed.pk).update(weight_kg=Decimal("31"), length_cm=Decimal("130"))
    packed.refresh_from_db()
    choice = choose_carrier(packed, start=date(2026, 12, 1))
    assert choice.chosen is None
    assert choice.reason == "No active carrier service can take this shipment."
    slow = next(o for o in choice.options if o.service.carrier == carriers["slow"])
    assert slow.refusals == ("Takes at most 30 kg.", "Takes sides up to 120 cm.")


def test_an_inactive_carrier_is_not_offered(carriers, packed):
    carrier_services.carrier_save(actor=None, carrier=carriers["slow"], data={"active": False})
    choice = choose_carrier(packed, start=date(2026, 12, 1))
    assert carriers["slow"] not in {o.service.carrier for o in choice.options}


def test_choosing_records_the_carrier_cost_date_event_and_audit(carriers, packed):
    logistics = UserFactory(role="logistics")
    shipment, choice = carrier_services.shipment_choose_carrier(actor=logistics, shipment=packed)
    shipment.refresh_from_db()
    assert shipment.carrier_service.carrier == carriers["slow"]
    assert shipment.carrier == "SLOW carrier"
    assert shipment.service == "standard"
    assert shipment.shipping_cost == Decimal("10.00")
    assert shipment.expected_delivery_date == choice.chosen.arrives
    # The rules chose once when the shipment was made, and again now at the desk's request.
    event = shipment.events.filter(kind=ShipmentEventKind.CARRIER).latest("id")
    assert event.actor == logistics
    assert event.data["override"] is False
    assert event.data["cost"] == "10.00"
    assert AuditLog.objects.filter(action="shipment.carrier", object_id=str(shipment.pk)).exists()


def test_an_override_needs_a_reason_and_a_usable_service_and_is_recorded(carriers, packed):
    logistics = UserFactory(role="logistics")
    fast = carriers["fast"].services.get()
    with pytest.raises(ValidationError, match="Say why"):
        carrier_services.shipment_choose_carrier(
            actor=logistics, shipment=packed, service_id=fast.pk, reason="  "
        )
    north = carriers["north"].services.get()
    with pytest.raises(ValidationError, match="Does not serve this lane"):
        carrier_services.shipment_choose_carrier(
            actor=logistics, shipment=packed, service_id=north.pk, reason="customer asked"
        )
    with pytest.raises(ValidationError, match="Choose one of the services"):
        carrier_services.shipment_choose_carrier(
            actor=logistics, shipment=packed, service_id=999_999, reason="customer asked"
        )
    # Only the rules' choice when the shipment was made.
    assert packed.events.filter(kind=ShipmentEventKind.CARRIER).count() == 1
    shipment, _choice = carrier_services.shipment_choose_carrier(
        actor=logistics, shipment=packed, service_id=fast.pk, reason="客户要求顺丰 customer asked"
    )
    shipment.refresh_from_db()
    assert shipment.carrier_service == fast
    event = shipment.events.filter(kind=ShipmentEventKind.CARRIER).latest("id")
    assert event.note == "客户要求顺丰 customer asked"
    assert event.data["override"] is True
    assert event.data["rules_choice"] == str(carriers["slow"].services.get())
    log = AuditLog.objects.get(action="shipment.carrier_override")
    assert log.actor == logistics


def test_roles_without_the_right_cannot_choose(carriers, packed):
    with pytest.raises(PermissionDenied):
        carrier_services.shipment_choose_carrier(actor=UserFactory(role="sales"), shipment=packed)
    carrier_services.shipment_choose_carrier(actor=UserFactory(role="manager"), shipment=packed)


def test_the_carrier_cannot_change_after_dispatch(carriers, packed, shipping):
    carrier_services.shipment_choose_carrier(actor=None, shipment=packed)
    packed.refresh_from_db()
    shipment = shipping_dispatch(shipping, packed, carrier="SLOW carrier")
    assert shipment.carrier_service.carrier == carriers["slow"]
    with pytest.raises(ShipmentError, match="left the warehouse"):
        carrier_services.shipment_choose_carrier(actor=None, shipment=packed)


def test_dispatch_with_another_carrier_drops_the_choice(carriers, packed, shipping):
    carrier_services.shipment_choose_carrier(actor=None, shipment=packed)
    packed.refresh_from_db()
    shipment = shipping_dispatch(shipping, packed, carrier="Someone else")
    assert shipment.carrier_service is None
    assert shipment.shipping_cost is None


def shipping_dispatch(shipping, shipment, **kwargs):
    from shipping import services

    services.shipment_dispatch(
        actor=None,
        shipment=shipment,
        details=shipping.details(
            "T1", expected_delivery_date=shipment.expected_delivery_date, **kwargs
        ),
    )
    return Shipment.objects.get(pk=shipment.pk)


# Rate card import -------------------------------------------------------------------------


def test_import_reports_every_bad_row_and_writes_nothing(carriers):
    carrier = carriers["slow"]
    before = list(Rate.objects.filter(service__carrier=carrier).values_list("pk", "first_fee"))
    text = rate_card_csv(
        [
            lane("standard", "SH", "GD", 3, 9),  # good
            lane("express", "SH", "GD", 1, 9),  # the carrier has no express service
            lane("standard", "XX", "GD", 3, 9),  # no such province
            lane("standard", "SH", "zone:mars", 3, 9),  # no such zone
            lane("standard", "SH", "BJ", 3, "-1"),  # negative fee
            lane("standard", "SH", "TJ", "two", 9),  # not a number
            lane("standard", "SH", "GD", 3, 9),  # the same lane again
            lane("standard", "SH", "HB", 3, 9, cod_percent="150"),  # over 100 %
        ]
    )
    for dry_run in (True, False):
        report = carrier_services.rate_import(
            actor=None, carrier=carrier, text=text, dry_run=dry_run
        )
        assert not report.ok
        assert report.written == 0
        assert [row.line for row in report.bad_rows] == [3, 4, 5, 6, 7, 8, 9]
        errors = {row.line: " ".join(row.errors) for row in report.bad_rows}
        assert "Unknown service level express" in errors[3]
        assert "origin" in errors[4]
        assert "destination" in errors[5]
        assert "first_fee" in errors[6]
        assert "transit_days" in errors[7]
        assert "twice" in errors[8]
    assert (
        list(Rate.objects.filter(service__carrier=carrier).values_list("pk", "first_fee")) == before
    )


def test_a_dry_run_writes_nothing_and_an_import_adds_and_updates(carriers):
    carrier = carriers["slow"]
    text = rate_card_csv(
        [lane("standard", "SH", "zone:east", 4, 7), lane("standard", "SH", "GD", 3, 9)]
    )
    report = carrier_services.rate_import(actor=None, carrier=carrier, text=text, dry_run=True)
    assert report.ok
    assert [row.new for row in report.rows] == [False, True]
    assert Rate.objects.filter(service__carrier=carrier).count() == 1
    report = carrier_services.rate_import(actor=None, carrier=carrier, text=text, dry_run=False)
    assert report.written == 2
    rates = dict(
        Rate.objects.filter(service__carrier=carrier).values_list("destination", "first_fee")
    )
    assert rates == {"zone:east": Decimal("7.00"), "GD": Decimal("9.00")}
    imports = AuditLog.objects.filter(action="carrier.rates_import", object_id=str(carrier.pk))
    assert imports.count() == 2  # the fixture's and this one


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Columns missing"),
        ("service,origin\nstandard,SH\n", "Columns missing: destination"),
        (HEADER + "\n", "no rows"),
        ("\x00\x01garbage", "Columns missing"),
    ],
)
def test_import_refuses_a_file_that_is_not_a_rate_card(carriers, text, message):
    report = carrier_services.rate_import(
        actor=None, carrier=carriers["slow"], text=text, dry_run=False
    )
    assert not report.ok
    assert message in " ".join(report.errors)


def test_the_same_service_level_twice_is_refused(carriers):
    with pytest.raises(ValidationError, match="already has this service level"):
        carrier_services.carrier_service_save(
            actor=None,
            carrier=carriers["slow"],
            service=None,
            data={
                "level": "standard",
                "active": True,
                "volumetric_divisor": 6000,
                "max_weight_kg": Decimal(1),
                "max_side_cm": Decimal(1),
            },
        )


# Pages ----------------------------------------------------------------------------------


def test_carrier_pages(client_for, carriers):
    client = client_for("logistics")
    html = client.get("/carriers/").content.decode()
    assert "SLOW carrier" in html
    assert "FAST carrier" in html
    slow = carriers["slow"]
    html = client.get(f"/carriers/{slow.pk}/").content.decode()
    assert "Import rate card" in html
    assert "zone:east" in html or "East China" in html
    response = client.post(
        f"/carriers/{slow.pk}/edit/",
        {"code": "SLOW", "name": "Slow Post", "active": "on", "tracking_kind": "manual"},
    )
    assert response.status_code == 302
    slow.refresh_from_db()
    assert slow.name == "Slow Post"
    # Others read only.
    reader = client_for("sales")
    assert reader.get(f"/carriers/{slow.pk}/").status_code == 200
    assert "Import rate card" not in reader.get(f"/carriers/{slow.pk}/").content.decode()
    assert reader.get(f"/carriers/{slow.pk}/edit/").status_code == 403


def test_rate_import_page_checks_then_imports(client_for, carriers):
    client = client_for("logistics")
    carrier = carriers["slow"]
    url = f"/carriers/{carrier.pk}/rates/import/"
    assert client.get(url).status_code == 200

    def upload(rows, mode):
        data = rate_card_csv(rows).encode()
        return client.post(
            url, {"mode": mode, "file": SimpleUploadedFile("rates.csv", data, "text/csv")}
        )

    bad = upload([lane("standard", "SH", "GD", 3, 9), lane("standard", "SH", "QQ", 3, 9)], "import")
    assert bad.status_code == 422
    assert "1 bad row: nothing was written." in bad.content.decode()
    assert not Rate.objects.filter(service__carrier=carrier, destination="GD").exists()
    check = upload([lane("standard", "SH", "GD", 3, 9)], "check")
    assert check.status_code == 200
    assert "nothing was written yet" in check.content.decode()
    assert not Rate.objects.filter(service__carrier=carrier, destination="GD").exists()
    done = upload([lane("standard", "SH", "GD", 3, 9)], "import")
    assert done.status_code == 302
    assert Rate.objects.filter(service__carrier=carrier, destination="GD").exists()


def test_shipment_page_shows_the_choice_and_staff_override(client_for, carriers, packed):
    client = client_for("logistics")
    html = client.get(f"/shipments/{packed.number}/").content.decode()
    assert "Carrier choice" in html
    assert "Cheapest of 2 services" in html
    assert "Does not serve this lane." in html
    assert "NORTH carrier" in html
    fast = carriers["fast"].services.get()
    response = client.post(
        f"/shipments/{packed.number}/carrier/",
        {"service": fast.pk, "reason": "fragile lamp"},
    )
    assert response.status_code == 302
    packed.refresh_from_db()
    assert packed.carrier_service == fast
    html = client.get(f"/shipments/{packed.number}/").content.decode()
    assert "fragile lamp" in html
    # A reader sees the card without the buttons.
    html = client_for("sales").get(f"/shipments/{packed.number}/").content.decode()
    assert "Carrier choice" in html
    assert 'data-action="override-carrier"' not in html


def test_choose_by_the_rules_button(client_for, carriers, packed):
    response = client_for("manager").post(f"/shipments/{packed.number}/carrier/", {})
    assert response.status_code == 302
    packed.refresh_from_db()
    assert packed.carrier_service.carrier == carriers["slow"]
    assert packed.expected_delivery_date > timezone.localdate()


def test_the_customers_preferred_carrier_wins_when_it_arrives_in_time(carriers, packed):
    customer = packed.order.customer
    customer.preferred_carrier = "fast"  # any case
    customer.save(update_fields=["preferred_carrier"])
    choice = choose_carrier(packed, start=date(2026, 12, 1))
    assert choice.chosen.service.carrier == carriers["fast"]
    assert choice.reason == (
        "The customer prefers FAST carrier; its cheapest service that arrives in time."
    )
    # Not in time: the rule goes back to the cheapest that is.
    start = date(2026, 12, 1)
    due(packed, add_working_days(start, 5))
    customer.preferred_carrier = "NORTH"  # does not serve the lane
    customer.save(update_fields=["preferred_carrier"])
    choice = choose_carrier(packed, start=start)
    assert choice.chosen.service.carrier == carriers["slow"]
    assert "Cheapest of 2 services" in choice.reason


def test_fragile_goods_go_with_a_carrier_that_takes_them_with_care(carriers, packed):
    start = date(2026, 12, 1)
    assert choose_carrier(packed, start=start).chosen.service.carrier == carriers["slow"]
    carriers["fast"].fragile_goods = True
    carriers["fast"].save(update_fields=["fragile_goods"])
    # Not fragile: the flag changes nothing.
    assert choose_carrier(packed, start=start).chosen.service.carrier == carriers["slow"]
    line = packed.lines.select_related("product").first()
    line.product.fragile = True
    line.product.save(update_fields=["fragile"])
    choice = choose_carrier(packed, start=start)
    assert choice.chosen.service.carrier == carriers["fast"]
    assert choice.reason.startswith("Fragile goods:")


def test_the_preferred_carrier_is_kept_on_the_customer_form(client_for, shipping):
    customer = shipping.customer()
    client = client_for("manager")
    page = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert 'name="preferred_carrier"' in page
