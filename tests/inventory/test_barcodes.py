"""Product barcodes: optional, unique when set, EAN/UPC check digits checked (python-stdnum
and the own GS1 rule agree), kept on the form, the list (column, filter, search) and the
demo catalogue."""

import pytest
from django.core.exceptions import ValidationError

from inventory.barcodes import barcode_kind, gs1_check_digit, gs1_valid, normalise_barcode
from inventory.models import Product
from inventory.seeders import demo_barcode
from inventory.services import product_save
from tests.factories import CategoryFactory, ProductFactory
from tests.inventory.test_inventory_views import PRODUCT

pytestmark = pytest.mark.django_db

DATA = {**PRODUCT, "is_active": True}
EAN = "6901234567892"  # a valid EAN-13
UPC = "036000291452"  # a valid UPC-A


@pytest.mark.parametrize(
    ("code", "kind", "valid"),
    [
        (EAN, "EAN-13", True),
        ("6901234567893", "EAN-13", False),
        (UPC, "UPC-A", True),
        ("036000291453", "UPC-A", False),
        ("96385074", "EAN-8", True),
        ("10614141000415", "GTIN-14", True),
        ("LOT-AB12", "other", False),
        ("", "", False),
    ],
)
def test_kinds_and_check_digits(code, kind, valid):
    assert barcode_kind(code) == kind
    assert gs1_valid(code) is valid
    # The own rule, used when python-stdnum is missing, gives the same answer.
    assert gs1_valid(code, use_stdnum=False) is valid


def test_normalising():
    assert normalise_barcode(" 6901-2345 67892 ") == EAN
    assert normalise_barcode("lot-ab12") == "LOT-AB12"
    assert gs1_check_digit("690123456789") == "2"


def test_saving_checks_and_keeps_it_unique_when_set():
    first = product_save(actor=None, product=None, data={**DATA, "sku": "BC-1", "barcode": ""})
    second = product_save(actor=None, product=None, data={**DATA, "sku": "BC-2", "barcode": ""})
    assert (first.barcode, second.barcode) == ("", "")  # many without one
    product_save(actor=None, product=first, data={**DATA, "sku": "BC-1", "barcode": EAN})
    with pytest.raises(ValidationError, match="Another product has this barcode"):
        product_save(actor=None, product=second, data={**DATA, "sku": "BC-2", "barcode": EAN})
    with pytest.raises(ValidationError, match="check digit should be 2"):
        product_save(
            actor=None, product=second, data={**DATA, "sku": "BC-2", "barcode": EAN[:-1] + "3"}
        )
    with pytest.raises(ValidationError, match="another product's SKU"):
        product_save(actor=None, product=second, data={**DATA, "sku": "BC-2", "barcode": "bc-1"})
    with pytest.raises(ValidationError, match="without spaces"):
        product_save(actor=None, product=second, data={**DATA, "sku": "BC-2", "barcode": "A_B"})
    assert Product.objects.get(pk=second.pk).barcode == ""


def test_form_list_filter_and_search(client_for):
    client = client_for("manager")
    category = CategoryFactory()
    response = client.post(
        "/products/new/", {**PRODUCT, "category": category.pk, "barcode": "0360 0029 1452"}
    )
    assert response.status_code == 302
    product = Product.objects.get(sku="CL-9001")
    assert product.barcode == UPC
    assert "UPC-A" in client.get(response["Location"]).text
    bad = client.post(
        "/products/new/", {**PRODUCT, "sku": "CL-9002", "category": category.pk, "barcode": UPC}
    )
    assert bad.status_code == 422
    assert "Another product has this barcode already." in bad.text
    ProductFactory(sku="NO-CODE")

    listing = client.get("/products/").text
    assert UPC in listing
    found = client.get("/products/", {"q": "291452"}).text
    assert "CL-9001" in found
    assert "NO-CODE" not in found
    with_code = client.get("/products/", {"has_barcode": "true"}).text
    without = client.get("/products/", {"has_barcode": "false"}).text
    assert "CL-9001" in with_code
    assert "NO-CODE" not in with_code
    assert "NO-CODE" in without
    assert "CL-9001" not in without


def test_demo_barcodes_are_valid_and_distinct():
    codes = [demo_barcode(n) for n in range(1, 400)]
    given = [code for code in codes if code]
    assert len(given) == len(set(given))
    assert {barcode_kind(code) for code in given} == {"EAN-13", "UPC-A"}
    assert all(gs1_valid(code, use_stdnum=False) for code in given)
    assert "" in codes
