"""Carriers and the carrier choice under bad input: a rate card that is not one, a file too
large or not UTF-8, an override naming nonsense or someone else's service, and roles without
the right. Each answers with a clear message (never a 500) and changes nothing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oms.models import AuditLog
from shipping import carrier_services
from shipping.carrier_seeders import rate_card_csv
from shipping.models import Rate, Shipment
from tests.factories import UserFactory
from tests.shipping.conftest import Shipping
from tests.shipping.test_carriers import lane, make_carrier


@pytest.fixture
def setup(db):
    shipping = Shipping()
    product = shipping.product(weight_kg=Decimal("1"))
    order = shipping.allocated_order((product, 1), stock=[(product, shipping.shanghai, 1)])
    [shipment] = shipping.packed(order)
    carrier = make_carrier("SLOW", lanes=[lane("standard", "SH", "ZJ", 3, 6)])
    return shipment, carrier


def signed_in(role):
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


def upload(client, carrier, content: bytes, mode="import", name="rates.csv"):
    return client.post(
        f"/carriers/{carrier.pk}/rates/import/",
        {"mode": mode, "file": SimpleUploadedFile(name, content, "text/csv")},
    )


def rates_of(carrier):
    return list(Rate.objects.filter(service__carrier=carrier).values_list("pk", "first_fee"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00garbage", "The file is not UTF-8 text."),
        (b"a,b\n1,2\n", "Columns missing"),
        (b"", "The submitted file is empty."),
        (b"x" * (carrier_services.MAX_RATE_FILE_BYTES + 1), "The file is larger than"),
        (b'service,origin,destination\n"unclosed,SH,GD\n', "Columns missing"),
    ],
)
def test_a_file_that_is_not_a_rate_card_is_refused_with_a_message(setup, content, message):
    _shipment, carrier = setup
    before = rates_of(carrier)
    response = upload(signed_in("logistics"), carrier, content)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert rates_of(carrier) == before


def test_too_many_rows_are_refused(setup):
    _shipment, carrier = setup
    rows = [lane("standard", "SH", "GD", 3, 9)] * (carrier_services.MAX_RATE_ROWS + 1)
    response = upload(signed_in("logistics"), carrier, rate_card_csv(rows).encode())
    assert response.status_code == 422
    assert "At most 5000 rows at once." in response.content.decode()


def test_huge_numbers_in_a_row_are_reported_not_a_500(setup):
    _shipment, carrier = setup
    rows = [lane("standard", "SH", "GD", "99999999999", "1e400", step_fee="NaN")]
    response = upload(signed_in("logistics"), carrier, rate_card_csv(rows).encode())
    assert response.status_code == 422
    assert "1 bad row: nothing was written." in response.content.decode()
    assert not Rate.objects.filter(destination="GD").exists()


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance", "reviewer"])
def test_roles_that_only_read_cannot_import_or_edit(setup, role):
    _shipment, carrier = setup
    client = signed_in(role)
    good = rate_card_csv([lane("standard", "SH", "GD", 3, 9)]).encode()
    assert upload(client, carrier, good).status_code == 403
    assert client.post(f"/carriers/{carrier.pk}/edit/", {"name": "x"}).status_code == 403
    assert not Rate.objects.filter(destination="GD").exists()
    with pytest.raises(carrier_services.PermissionDenied):
        carrier_services.rate_import(
            actor=UserFactory(role=role), carrier=carrier, text=good.decode(), dry_run=False
        )


@pytest.mark.parametrize(
    "data",
    [
        {"service": "abc", "reason": "x"},
        {"service": "-1", "reason": "x"},
        {"service": "99999999999999999999", "reason": "x"},
        {"service": "1", "reason": ""},
        {"service": "1", "reason": "x" * 501},
        {"override": "1", "reason": "no service named"},
    ],
)
def test_a_bad_override_changes_nothing(setup, data):
    shipment, _carrier = setup
    response = signed_in("logistics").post(f"/shipments/{shipment.number}/carrier/", data)
    assert response.status_code == 302
    fresh = Shipment.objects.get(pk=shipment.pk)
    assert fresh.carrier_service is None
    assert not fresh.events.filter(kind="carrier").exists()
    assert not AuditLog.objects.filter(action__startswith="shipment.carrier").exists()


def test_an_override_to_an_unknown_service_says_so(setup):
    shipment, _carrier = setup
    client = signed_in("logistics")
    response = client.post(
        f"/shipments/{shipment.number}/carrier/",
        {"service": "424242", "reason": "why not"},
        follow=True,
    )
    assert "Choose one of the services offered." in response.content.decode()
    assert Shipment.objects.get(pk=shipment.pk).carrier_service is None


def test_choice_for_an_unknown_shipment_or_carrier_is_a_404(setup):
    client = signed_in("logistics")
    assert client.post("/shipments/SH-NOPE/carrier/", {}).status_code == 404
    assert client.get("/carriers/999999/").status_code == 404
    assert client.get("/carriers/999999/rates/import/").status_code == 404
    _shipment, carrier = setup
    assert client.get(f"/carriers/{carrier.pk}/services/999999/edit/").status_code == 404


def test_sales_cannot_choose_a_carrier(setup):
    shipment, _carrier = setup
    assert signed_in("sales").post(f"/shipments/{shipment.number}/carrier/", {}).status_code == 403
    assert Shipment.objects.get(pk=shipment.pk).carrier_service is None
