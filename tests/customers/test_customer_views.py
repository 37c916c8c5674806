import pytest

from customers.models import Address, Customer
from oms.models import AuditLog
from tests.factories import AddressFactory, CustomerFactory
from tests.helpers import page_queries

pytestmark = pytest.mark.django_db

VALID = {
    "code": "c90001",
    "name": "杭州明辉灯饰有限公司",
    "kind": "business",
    "contact_person": "林晓",
    "phone": "13912345678",
    "email": "lin@example.cn",
    "group": "wholesale",
    "tier": "gold",
    "credit_limit": "50000.00",
    "payment_terms": "net_30",
    "region": "ZJ",
    "tags": "VIP，工程",
    "is_active": "on",
}


def test_create_customer_with_first_address(client_for):
    client = client_for("sales")
    data = {
        **VALID,
        "address-recipient": "林晓",
        "address-phone": "0571-88886666",
        "address-region": "ZJ",
        "address-city": "杭州",
        "address-street": "文三路 100 号",
    }
    response = client.post("/customers/new/", data)
    customer = Customer.objects.get(code="C90001")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert customer.tags == ["VIP", "工程"]
    address = customer.addresses.get()
    assert address.is_default_shipping
    assert address.is_default_billing
    assert AuditLog.objects.filter(action="customer.create", object_id=str(customer.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert "杭州明辉灯饰有限公司" in page
    assert "文三路 100 号" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "Enter a valid phone number"),
        ("phone", "12012345678", "Mobile numbers in mainland China start with 13 to 19"),
        ("email", "not-an-email", "Enter a valid email address"),
        ("credit_limit", "-1", "greater than or equal to 0"),
        ("credit_limit", "abc", "Enter a number"),
        ("name", "x" * 201, "at most 200 characters"),
        ("region", "XX", "Select a valid choice"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(client_for, field, value, message):
    client = client_for("manager")  # may set credit terms too
    response = client.post("/customers/new/", {**VALID, field: value})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Customer.objects.exists()


def test_duplicate_code_is_rejected_with_a_clear_message(client_for):
    CustomerFactory(code="C90001")
    response = client_for("sales").post("/customers/new/", VALID)
    assert response.status_code == 422
    assert "A customer with this code already exists." in response.content.decode()
    assert Customer.objects.count() == 1


def test_half_filled_address_is_rejected_and_nothing_saved(client_for):
    response = client_for("sales").post(
        "/customers/new/", {**VALID, "address-street": "文三路 1 号"}
    )
    assert response.status_code == 422
    assert not Customer.objects.exists()
    assert not Address.objects.exists()


def test_messages_in_chinese(client_for):
    client = client_for("sales")
    client.cookies["django_language"] = "zh-hans"
    response = client.post(
        "/customers/new/", {**VALID, "phone": "12345"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    html = response.content.decode()
    assert "请输入有效的电话号码，例如 13812345678 或 021-12345678。" in html
    assert "新建客户" in html
    assert 'value="杭州明辉灯饰有限公司"' in html  # what the user typed is kept


def test_edit_customer_records_changes(client_for):
    customer = CustomerFactory(tier="standard")
    client = client_for("manager")
    form = client.get(f"/customers/{customer.pk}/edit/")
    assert form.status_code == 200
    data = {**VALID, "code": customer.code, "tier": "platinum", "credit_limit": "80000"}
    response = client.post(f"/customers/{customer.pk}/edit/", data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.tier == "platinum"
    entry = AuditLog.objects.get(action="customer.update")
    assert entry.changes["tier"] == ["standard", "platinum"]


def test_new_default_address_replaces_the_old_one(client_for):
    old = AddressFactory()
    client = client_for("sales")
    response = client.post(
        f"/customers/{old.customer.pk}/addresses/new/",
        {
            "recipient": "王五",
            "phone": "13700001111",
            "region": "GD",
            "city": "广州",
            "street": "天河路 1 号",
            "latitude": "23.1",
            "longitude": "113.3",
            "is_default_shipping": "on",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = old.customer.addresses.exclude(pk=old.pk).get()
    assert new.is_default_shipping
    assert not old.is_default_shipping
    assert old.is_default_billing
    assert not new.is_default_billing


def test_address_needs_both_coordinates(client_for):
    customer = CustomerFactory()
    response = client_for("sales").post(
        f"/customers/{customer.pk}/addresses/new/",
        {
            "recipient": "王五",
            "phone": "13700001111",
            "region": "GD",
            "city": "广州",
            "street": "x",
            "latitude": "23.1",
        },
    )
    assert response.status_code == 422
    assert "Enter both latitude and longitude" in response.content.decode()


def test_list_filters_search_and_export(client_for):
    CustomerFactory(name="苏州宏达照明", region="JS", group="distributor", tags=["VIP"])
    CustomerFactory(name="广州佳诚家居", region="GD", group="retail")
    client = client_for("sales")
    html = client.get("/customers/?q=宏达").content.decode()
    assert "苏州宏达照明" in html
    assert "广州佳诚家居" not in html
    html = client.get("/customers/?region=GD").content.decode()
    assert "广州佳诚家居" in html
    assert "苏州宏达照明" not in html
    html = client.get("/customers/?tag=VIP").content.decode()
    assert "苏州宏达照明" in html
    assert "广州佳诚家居" not in html
    empty = client.get("/customers/?q=nobody-like-this").content.decode()
    assert "No customers match these filters." in empty
    export = client.get("/customers/?region=JS&export=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export["Content-Type"].startswith("text/csv")
    assert "苏州宏达照明" in body
    assert "广州佳诚家居" not in body
    assert body.splitlines()[0].startswith("Code,Name")


def test_list_sorts_by_column(client_for):
    CustomerFactory(code="A001", name="甲")
    CustomerFactory(code="Z999", name="乙")
    html = client_for("sales").get("/customers/?sort=-code").content.decode()
    assert html.index("Z999") < html.index("A001")


def test_list_query_count_does_not_grow_with_rows_or_page_size(client_for):
    client = client_for("sales")
    CustomerFactory.create_batch(3)
    few = len(page_queries(client, "/customers/"))
    CustomerFactory.create_batch(60)
    assert len(page_queries(client, "/customers/")) == few
    assert len(page_queries(client, "/customers/?per_page=200")) == few
    assert few <= 8
    assert not page_queries(client, "/customers/?q=T0").row_counts, "list pages never count rows"


def test_detail_query_count_is_fixed(client_for):
    client = client_for("sales")
    one = AddressFactory()
    few = len(page_queries(client, f"/customers/{one.customer.pk}/"))
    for _ in range(5):
        AddressFactory(customer=one.customer, is_default_shipping=False, is_default_billing=False)
    assert len(page_queries(client, f"/customers/{one.customer.pk}/")) == few
