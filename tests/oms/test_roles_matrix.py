"""Every role against every page, checked against the one role table in oms/roles.py."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from inventory.services import stock_receive
from inventory.work_orders import work_order_create
from oms.generic import ObjectActionView
from oms.models import MessageTemplate
from oms.roles import ROLES
from orders.models import PriceList, PriceListItem
from orders.services import LineRequest, order_create, order_submit
from shipping.services import shipments_create_for_order
from tests.factories import AddressFactory, ProductFactory, UserFactory, WarehouseFactory
from tests.helpers import carrier_service, our_routes, route_kwargs, rule_objects

# Views open to anyone, and views open to every signed-in user whatever their role.
# The customer's order page (the token is the right) and carriers' callbacks (signed).
# Its forms, downloads and the lookup without the link are the token's (or the form's) too:
# tests/security/test_public_order_actions.py checks them.
PUBLIC = {
    "login",
    "set_language",
    "shipping:track",
    "shipping_tracking:callback",
    "orders:inbound_webhook",
    "aftersales:public_return",
    "shipping:track_lookup",
    "shipping:track_delivery_time",
    "shipping:track_delivery_note",
    "billing:track_document",
    "aftersales:track_rating",
}
ANY_SIGNED_IN = {"dashboard", "search", "logout", "password_change", "password_change_done"}
# Views open only to the signed-in user who owns the object (and administrators), whatever
# their role: tests/oms/test_export_jobs.py checks them.
OWNER_ONLY = {"file_job", "file_job_download", "import_job", "import_commit", "import_errors"}


def our_url_patterns():
    """(name, view class) of every named route outside Django's admin."""
    return [(route.name, route.view_class) for route in our_routes()]


def test_every_page_declares_what_it_needs():
    for name, view_class in our_url_patterns():
        if name in PUBLIC | ANY_SIGNED_IN | OWNER_ONLY:
            continue
        assert view_class is not None, f"{name} is a function view; use the generic views"
        assert getattr(view_class, "permission_required", None), f"{name} declares no permission"


def test_groups_hold_exactly_the_role_table(db):
    for name, role in ROLES.items():
        perms = {
            f"{app}.{codename}"
            for app, codename in Group.objects.get(name=name).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert perms == set(role.permissions), name


@pytest.fixture
def sample(db):
    address = AddressFactory()
    product = ProductFactory()
    warehouse = WarehouseFactory()
    movement = stock_receive(actor=None, product=product, warehouse=warehouse, quantity=5)
    price_list = PriceList.objects.create(name="retail", customer_group=address.customer.group)
    PriceListItem.objects.create(price_list=price_list, product=product, unit_price=10)
    order = order_create(actor=None, customer=address.customer, lines=[LineRequest(product, 1)])
    work_order = work_order_create(product=product, warehouse=warehouse, quantity=1)
    rule, promotion, shipping_rule = rule_objects()
    # An allocated order with a shipment waiting to be picked.
    allocated = order_submit(
        actor=None,
        order=order_create(actor=None, customer=address.customer, lines=[LineRequest(product, 1)]),
    )
    [shipment] = shipments_create_for_order(actor=None, order=allocated)
    return route_kwargs(
        order=order,
        approval_rule=rule,
        price_list=price_list,
        promotion=promotion,
        shipping_rule=shipping_rule,
        work_order=work_order,
        address=address,
        product=product,
        warehouse=warehouse,
        stock_level=movement.stock_level,
        shipment=shipment,
        carrier_service=carrier_service(),
        message_template=MessageTemplate.objects.first(),  # made from the registrations
    )


def post_only(view_class) -> bool:
    """An action (ObjectActionView) or another view that takes only POST (batch printing)."""
    return issubclass(view_class, ObjectActionView) or view_class.http_method_names == ["post"]


def permissioned_pages():
    return [
        (name, view)
        for name, view in our_url_patterns()
        if name not in PUBLIC | ANY_SIGNED_IN | OWNER_ONLY
    ]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_role_page_matrix(role, sample, client):
    user = UserFactory(username=f"matrix-{role}", role=role)
    client.force_login(user)
    checked = 0
    # Pages that read what to show from the query string.
    query = {"shipping:wave_pick_list": f"?shipment={sample['shipping:detail']['number']}"}
    for name, view_class in permissioned_pages():
        url = reverse(name, kwargs=sample.get(name, {})) + query.get(name, "")
        allowed = view_class.permission_required in ROLES[role].permissions
        if post_only(view_class):
            # POST-only actions: allowed ones answer with a redirect and a message, or refuse
            # the empty form with 422 (the draft editor's line views).
            response, method = client.post(url, {}), "POST"
            expected = {302, 422} if allowed else {403}
        else:
            response, method, expected = client.get(url), "GET", {200} if allowed else {403}
        assert response.status_code in expected, (
            f"{role} {method} {url}: {response.status_code}, expected {expected}"
        )
        checked += 1
    for name in ANY_SIGNED_IN - {"logout"}:
        assert client.get(reverse(name)).status_code == 200, name
    assert checked >= 35


def test_anonymous_users_are_sent_to_login(sample, client):
    for name, view in permissioned_pages():
        url = reverse(name, kwargs=sample.get(name, {}))
        response = client.post(url) if post_only(view) else client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/login/"), name
    assert client.get("/").status_code == 302


def test_sidebar_shows_only_what_the_role_may_open(client_for):
    sales = client_for("sales")
    html = sales.get("/").content.decode()
    assert 'href="/customers/"' in html
    assert 'href="/stock/receive/"' not in html
    assert 'href="/audit/"' not in html


def test_admin_site_is_for_superusers_only(client_for, django_user_model):
    manager = client_for("manager")
    assert manager.get("/admin/").status_code == 302  # staff login page, not the admin
