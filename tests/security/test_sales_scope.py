"""OMS_SALES_OWN_CUSTOMERS_ONLY: a sales user sees, finds, exports and acts on only their own
customers and those customers' orders. Anything else answers 404, never a 403 that would tell
it exists. Other roles, and the setting left off, see everything."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from customers.models import Address, Customer
from customers.services import customer_create, customer_update
from oms.filejobs import file_job_run
from oms.models import AuditLog, FileJob
from orders import services
from orders.choices import ApprovalCondition
from orders.models import ApprovalRule, Order, OrderEvent, OrderLine
from orders.permissions import order_allowed_actions
from shipping.models import Shipment
from shipping.services import shipments_create_for_order
from tests.factories import UserFactory
from tests.helpers import our_routes
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, settings):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    catalog = Catalog()
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 100)
    sales1 = UserFactory(username="sales1", role="sales")
    sales2 = UserFactory(username="sales2", role="sales")
    mine = catalog.customer(salesperson=sales1, name="Mine Trading", code="MINE01")
    theirs = catalog.customer(salesperson=sales2, name="Theirs Trading", code="THEIRS01")
    unassigned = catalog.customer(salesperson=None, name="Nobody's Trading", code="NOBODY01")

    def orders_of(customer, salesperson):
        draft = catalog.order(customer, (product, 1), actor=salesperson, external_reference="")
        confirmed = catalog.order(customer, (product, 2), actor=salesperson)
        services.order_submit(actor=salesperson, order=confirmed)
        return {"draft": draft, "confirmed": Order.objects.get(pk=confirmed.pk)}

    return {
        "catalog": catalog,
        "product": product,
        "sales1": sales1,
        "sales2": sales2,
        "mine": mine,
        "theirs": theirs,
        "unassigned": unassigned,
        "my_orders": orders_of(mine, sales1),
        "their_orders": orders_of(theirs, sales2),
        "nobodys_orders": orders_of(unassigned, None),
    }


@pytest.fixture
def sales1_client(client, world):
    client.force_login(world["sales1"])
    return client


def object_url_patterns():
    """(name, view class, URL argument names) of every route that takes an order or shipment
    number or a customer id: the order and shipment pages and actions, the customer pages and
    their addresses."""
    return [
        (route.name, route.view_class, set(route.converters))
        for route in our_routes()
        # The customer's pages under /track/<token>/ answer to the token, not to a sign-in.
        if "token" not in route.converters
        # A return's or case's number: tests/security/test_returns.py and test_cases.py.
        and not route.name.startswith("aftersales:")
        and (
            "number" in route.converters
            or (route.name.startswith("customers:") and "pk" in route.converters)
        )
    ]


def shipment_of(order):
    """The order's shipment, made for it (a confirmed, allocated order) on first use."""
    shipment = Shipment.objects.filter(order=order).first()
    if shipment is None:
        [shipment] = shipments_create_for_order(actor=None, order=order)
    return shipment


ORDER_DELIVERY_PAGES = ("shipping:order_slot", "shipping:order_pickup")


def url_for(name, arguments, customer, order):
    kwargs = {}
    if "number" in arguments:
        # Shipping's pages take a shipment's number, except the order's delivery pages.
        of_shipment = name.startswith("shipping:") and not name.startswith(ORDER_DELIVERY_PAGES)
        kwargs["number"] = shipment_of(order).number if of_shipment else order.number
    if "kind" in arguments:
        kwargs["kind"] = "packing-list"
    if "pk" in arguments:
        kwargs["pk"] = customer.pk
    if "address_pk" in arguments:
        kwargs["address_pk"] = customer.addresses.first().pk
    return reverse(name, kwargs=kwargs)


def methods_of(view_class):
    return [
        m for m in ("get", "post") if m in view_class.http_method_names and hasattr(view_class, m)
    ]


def post_data(world, customer):
    """What each form would need to do its work, so a hole would show as a change."""
    return {
        "reason": "testing the scope",
        "note": "testing the scope",
        "boost": "10",
        "product": world["product"].sku,
        "quantity": "3",
        "line_no": "1",
        "discount_percent": "0",
        "shipping_address": str(customer.addresses.first().pk),
        "notes": "changed by someone else",
        "name": "Renamed",
        "code": customer.code,
        "phone": "13800000000",
        "kind": "business",
        "group": "retail",
        "tier": "standard",
        "region": "ZJ",
        "recipient": "Somebody",
        "city": "杭州",
        "street": "1 Road",
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-line_no": "1",
        "form-0-quantity": "7",
    }


def snapshot(customer):
    orders = Order.objects.filter(customer=customer).order_by("pk")
    return (
        list(orders.values_list("status", "on_hold", "priority_boost", "total", "notes")),
        list(
            OrderLine.objects.filter(order__customer=customer)
            .order_by("pk")
            .values_list("quantity", "discount_percent")
        ),
        OrderEvent.objects.filter(order__customer=customer).count(),
        list(Customer.objects.filter(pk=customer.pk).values_list("name", "updated_at")),
        Address.objects.filter(customer=customer).count(),
        AuditLog.objects.filter(object_type="customers.customer", object_id=str(customer.pk))
        .exclude(action="customer.create")
        .count(),
    )


def test_the_walk_finds_the_order_and_customer_pages():
    names = {name for name, _view, _arguments in object_url_patterns()}
    assert {
        "orders:detail",
        "orders:edit",
        "orders:line_add",
        "orders:amend",
        "orders:cancel",
        "orders:hold",
        "orders:approve",
        "customers:detail",
        "customers:edit",
        "customers:address_edit",
    } <= names
    assert len(names) >= 20


@pytest.mark.parametrize("which", ["draft", "confirmed"])
def test_no_path_reaches_another_salespersons_customer_or_order(world, sales1_client, which):
    client = sales1_client
    walked = 0
    for other, orders in (
        (world["theirs"], world["their_orders"]),
        (world["unassigned"], world["nobodys_orders"]),
    ):
        before = snapshot(other)
        if which == "confirmed":  # allocated: each has a shipment waiting to be picked
            shipment_of(orders[which]), shipment_of(world["my_orders"][which])
        for name, view_class, arguments in object_url_patterns():
            if name.startswith("shipping:") and which == "draft":
                continue  # a draft has no shipment
            if name.startswith("shipping:parcel"):
                continue  # a merged parcel's pages: tests/security/test_merge_and_pack_station.py
            own = url_for(name, arguments, world["mine"], world["my_orders"][which])
            foreign = url_for(name, arguments, other, orders[which])
            for method in methods_of(view_class):
                send = getattr(client, method)
                data = post_data(world, other) if method == "post" else None
                answer = send(foreign, data)
                control = send(own, post_data(world, world["mine"]) if data else None)
                if control.status_code == 403:
                    # The role lacks the right: the same 403 whether the object exists or not.
                    assert answer.status_code == 403, (method, foreign)
                else:
                    assert answer.status_code == 404, (method, foreign, answer.status_code)
                    assert control.status_code != 404, (method, own)
                walked += 1
        assert snapshot(other) == before, "something changed through a refused request"
    assert walked >= 40


def test_lists_queues_search_and_options_show_only_own(world, sales1_client):
    client = sales1_client
    theirs, mine = world["theirs"], world["mine"]
    their_numbers = [o.number for o in world["their_orders"].values()]
    my_number = world["my_orders"]["draft"].number
    for url in ("/orders/", "/orders/queue/", "/orders/?status=draft", f"/orders/?q={theirs.code}"):
        page = client.get(url).content.decode()
        assert not any(number in page for number in their_numbers), url
    assert my_number in client.get("/orders/").content.decode()
    assert (
        client.get(f"/orders/?customer={theirs.code}").context["table"].rows.data.data.count() == 0
    )

    customers = client.get("/customers/").content.decode()
    assert mine.name in customers
    assert theirs.name not in customers
    assert world["unassigned"].name not in customers

    their_links = [theirs.get_absolute_url()] + [
        o.get_absolute_url() for o in world["their_orders"].values()
    ]
    for query in (theirs.code, their_numbers[0], their_numbers[0][-4:], "Theirs"):
        page = client.get("/search/", {"q": query})
        assert page.status_code == 200, query  # no redirect to the one exact hit
        text = page.content.decode()
        assert theirs.name not in text, query
        assert not any(f'href="{link}"' in text for link in their_links), query
    assert client.get("/search/", {"q": mine.code}).status_code == 302  # own: opens directly

    options = client.get("/orders/customer-options/", {"customer": ""}).content.decode()
    options += client.get("/orders/customer-options/", {"customer": "Trading"}).content.decode()
    assert mine.code in options
    assert theirs.code not in options


def test_a_new_order_cannot_name_another_salespersons_customer(world, sales1_client):
    response = sales1_client.post(
        "/orders/new/", {"customer": world["theirs"].code, "channel": "back_office"}
    )
    assert response.status_code == 422
    assert f"No customer has the code {world['theirs'].code}" in response.content.decode()
    assert not Order.objects.filter(customer=world["theirs"], created_by=world["sales1"]).exists()
    response = sales1_client.post(
        "/orders/new/", {"customer": world["mine"].code, "channel": "back_office"}
    )
    assert response.status_code == 302


def test_exports_inline_and_in_the_worker_hold_only_own(world, sales1_client, settings, tmp_path):
    their_numbers = {o.number for o in world["their_orders"].values()}
    for url in ("/orders/?export=csv", "/orders/queue/?export=csv", "/customers/?export=csv"):
        text = b"".join(sales1_client.get(url).streaming_content).decode()
        assert not their_numbers & set(text.replace(",", "\n").splitlines()), url
        assert "Theirs Trading" not in text, url
        assert "Nobody" not in text, url
        assert "Mine Trading" in text, url

    settings.OMS_FILE_JOB_DIR = tmp_path
    settings.OMS_EXPORT_INLINE_MAX_ROWS = 1
    for url in ("/orders/", "/customers/"):
        started = sales1_client.post(url + "?export=csv", {"export": "csv"})
        assert started.status_code == 302, url
        job = FileJob.objects.get(path=url)
        assert file_job_run(job_id=job.pk) == "done"
        text = (tmp_path / f"{job.pk}.csv").read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) > 1
        assert "Theirs Trading" not in text, url
        assert "Nobody" not in text, url
        assert not their_numbers & {cell for row in rows for cell in row}, url


def test_dashboard_counts_only_own(world, sales1_client, client):
    tiles = {str(k.label): k.value for k in sales1_client.get("/").context["kpis"]}
    assert tiles["Active customers"] == 1
    panels = {p.name: p.context for p in sales1_client.get("/").context["panels"]}
    assert sum(row["count"] for row in panels["order-backlog"]["backlog"]) == 1

    client.force_login(UserFactory(username="boss", role="manager"))
    tiles = {str(k.label): k.value for k in client.get("/").context["kpis"]}
    assert tiles["Active customers"] == 3


def test_dashboard_top_products_and_order_tiles_count_only_own(world, sales1_client, client):
    # Yesterday's sales summarised: the windows (all customers' sales per product) are
    # written, and a sales user who sees only their own customers must not read them.
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from orders.analytics import sales_summaries_refresh
    from orders.models import SalesWindow

    yesterday = timezone.localdate() - timedelta(days=1)
    placed = timezone.make_aware(datetime.combine(yesterday, time(10)))
    Order.objects.exclude(status="draft").update(created_at=placed)
    sales_summaries_refresh(start=yesterday, end=yesterday)
    assert SalesWindow.objects.exists()
    product = world["product"].pk

    def top(page) -> dict:
        [panel] = [p.context for p in page.context["panels"] if p.name == "sales-charts"]
        [charts] = [c for c in panel["breakdowns"] if c["key"] == "products"]
        return {row.key: (row.orders, row.net_revenue) for row in charts["rows"]}

    mine = world["my_orders"]["confirmed"]
    page = sales1_client.get("/")
    assert top(page) == {product: (1, mine.subtotal)}
    tiles = {str(k.label): k for k in page.context["kpis"]}
    assert tiles["Orders today"].value == 0
    this_week = yesterday.weekday() < timezone.localdate().weekday()  # not on a Monday
    assert tiles["Net revenue this week"].value == (mine.subtotal if this_week else 0)

    client.force_login(UserFactory(username="boss", role="manager"))
    assert top(client.get("/"))[product][0] == 3  # every customer's confirmed order


def test_services_refuse_too(world):
    sales1, theirs = world["sales1"], world["their_orders"]
    assert order_allowed_actions(theirs["confirmed"], sales1) == frozenset()
    assert order_allowed_actions(world["my_orders"]["confirmed"], sales1)
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=sales1, order=theirs["confirmed"], reason="x")
    with pytest.raises(PermissionDenied):
        services.order_line_add(
            actor=sales1, order=theirs["draft"], product=world["product"], quantity=1
        )
    with pytest.raises(PermissionDenied):
        customer_update(actor=sales1, customer=world["theirs"], data={"notes": "x"})
    # A customer they enter or keep is their own.
    with pytest.raises(ValidationError):
        customer_update(actor=sales1, customer=world["mine"], data={"salesperson": world["sales2"]})
    with pytest.raises(ValidationError):
        customer_create(
            actor=sales1,
            data={"code": "NEW1", "name": "New", "phone": "13800000001", "region": "ZJ"},
        )
    assert Order.objects.get(pk=theirs["confirmed"].pk).status != "cancelled"


def test_a_new_customer_form_offers_only_themselves(world, sales1_client):
    form = sales1_client.get("/customers/new/").context["form"]
    assert list(form.fields["salesperson"].queryset) == [world["sales1"]]


@pytest.mark.parametrize(
    "role", ["manager", "reviewer", "finance", "warehouse", "customer_service"]
)
def test_other_roles_see_everything(world, client, role):
    client.force_login(UserFactory(username=f"{role}-x", role=role))
    page = client.get("/orders/").content.decode()
    assert all(o.number in page for o in world["their_orders"].values())
    assert client.get(world["their_orders"]["draft"].get_absolute_url()).status_code == 200
    assert client.get(world["theirs"].get_absolute_url()).status_code == 200
    assert world["theirs"].name in client.get("/customers/").content.decode()


def test_sales_with_another_role_sees_everything(world, client):
    both = UserFactory(username="sales-and-manager", role="sales")
    both.groups.add(*UserFactory(username="tmp-manager", role="manager").groups.all())
    client.force_login(both)
    assert client.get(world["their_orders"]["draft"].get_absolute_url()).status_code == 200


def test_with_the_setting_off_nothing_changes(world, sales1_client, settings):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = False
    theirs = world["their_orders"]["draft"]
    assert sales1_client.get(theirs.get_absolute_url()).status_code == 200
    assert sales1_client.get(world["theirs"].get_absolute_url()).status_code == 200
    assert sales1_client.get(reverse("orders:edit", args=[theirs.number])).status_code == 200
    page = sales1_client.get("/orders/").content.decode()
    assert all(o.number in page for o in world["their_orders"].values())
    assert world["theirs"].name in sales1_client.get("/customers/").content.decode()
    assert order_allowed_actions(theirs, world["sales1"])
    response = sales1_client.post(
        reverse("orders:cancel", args=[theirs.number]), {"reason": "setting off"}
    )
    assert response.status_code == 302
    assert Order.objects.get(pk=theirs.pk).status == "cancelled"


def test_the_approvals_queue_neither_lists_nor_counts_other_customers_orders(world, client):
    """Should a sales user be given the right to approve, other salespeople's orders stay
    out of their queue, its count included."""
    ApprovalRule.objects.create(
        name="flag", condition=ApprovalCondition.MANUAL_FLAG, required_role="sales", level=1
    )
    catalog, product = world["catalog"], world["product"]
    theirs = catalog.order(world["theirs"], (product, 1), actor=world["sales2"], needs_review=True)
    services.order_submit(actor=world["sales2"], order=theirs)
    approver = world["sales1"]
    approver.user_permissions.add(Permission.objects.get(codename="approve_order"))
    client.force_login(approver)
    page = client.get("/approvals/").content.decode()
    assert f'href="{theirs.get_absolute_url()}"' not in page
    assert "not yours to decide" not in page
    # A colleague who sees every customer has it in the queue.
    colleague = UserFactory(username="sales-and-reviewer", role="sales")
    colleague.groups.add(*UserFactory(username="tmp-reviewer", role="reviewer").groups.all())
    client.force_login(colleague)
    assert f'href="{theirs.get_absolute_url()}"' in client.get("/approvals/").content.decode()
