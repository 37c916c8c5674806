"""Every role against every page, checked against the one role table in oms/roles.py."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from inventory.services import stock_receive, work_order_create
from oms.generic import ObjectActionView
from oms.models import MessageTemplate
from oms.roles import ROLES
from orders.models import ApprovalRule, PriceList, PriceListItem, Promotion, ShippingRule
from orders.services import LineRequest, order_create, order_submit
from shipping.models import Carrier, CarrierService
from shipping.services import shipments_create_for_order
from tests.factories import AddressFactory, ProductFactory, UserFactory, WarehouseFactory

# Views open to anyone, and views open to every signed-in user whatever their role.
PUBLIC = {"login", "set_language"}
ANY_SIGNED_IN = {"dashboard", "search", "logout", "password_change", "password_change_done"}
# Views open only to the signed-in user who owns the object (and administrators), whatever
# their role: tests/oms/test_export_jobs.py checks them.
OWNER_ONLY = {"export_status", "export_download"}


def our_routes():
    """(name, view class, URL argument names) of every named route outside Django's admin."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (
                    f"{namespace}{pattern.name}",
                    getattr(pattern.callback, "view_class", None),
                    set(getattr(pattern.pattern, "converters", {})),
                )

    return list(walk(get_resolver().url_patterns))


def our_url_patterns():
    """(name, view class) of every named route outside Django's admin."""
    return [(name, view) for name, view, _arguments in our_routes()]


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
    rule = ApprovalRule.objects.create(
        name="big", condition="amount_at_least", threshold=10**6, required_role="manager"
    )
    work_order = work_order_create(product=product, warehouse=warehouse, quantity=1)
    promotion = Promotion.objects.create(
        name="spring",
        kind="percent",
        value=5,
        scope="all",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
    )
    shipping_rule = ShippingRule.objects.create(name="standard", base_fee=12)
    number = {"number": order.number}
    message_template = MessageTemplate.objects.first()  # made from the registrations
    # An allocated order with a shipment waiting to be picked.
    allocated = order_submit(
        actor=None,
        order=order_create(actor=None, customer=address.customer, lines=[LineRequest(product, 1)]),
    )
    [shipment] = shipments_create_for_order(actor=None, order=allocated)
    shipment_number = {"number": shipment.number}
    carrier = Carrier.objects.create(code="SF", name="SF Express")
    carrier_service = CarrierService.objects.create(
        carrier=carrier, level="express", max_weight_kg=30, max_side_cm=150
    )
    return {
        "message_template_edit": {"pk": message_template.pk},
        "message_template_reset": {"pk": message_template.pk},
        "orders:detail": number,
        "orders:edit": number,
        "orders:draft_details": number,
        "orders:line_add": number,
        "orders:line_update": number,
        "orders:line_remove": number,
        "orders:amend": number,
        "orders:submit": number,
        "orders:approve": number,
        "orders:reject": number,
        "orders:hold": number,
        "orders:resume": number,
        "orders:cancel": number,
        "orders:boost": number,
        "orders:start_picking": number,
        "orders:approval_rule_edit": {"pk": rule.pk},
        "orders:approval_rule_activate": {"pk": rule.pk},
        "orders:approval_rule_deactivate": {"pk": rule.pk},
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
            f"shipping:{page}": shipment_number
            for page in ("detail", "start_picking", "pack", "dispatch", "progress", "carrier")
        },
        **{
            f"shipping:{page}": {"pk": carrier.pk}
            for page in ("carrier_detail", "carrier_edit", "carrier_service_create", "rate_import")
        },
        "shipping:carrier_service_edit": {"pk": carrier.pk, "service_pk": carrier_service.pk},
        "inventory:work_order_advance": {"pk": work_order.pk},
        "customers:detail": {"pk": address.customer.pk},
        "customers:edit": {"pk": address.customer.pk},
        "customers:credit": {"pk": address.customer.pk},
        "customers:address_create": {"pk": address.customer.pk},
        "customers:address_edit": {"pk": address.customer.pk, "address_pk": address.pk},
        "inventory:product_detail": {"pk": product.pk},
        "inventory:product_edit": {"pk": product.pk},
        "inventory:warehouse_detail": {"pk": warehouse.pk},
        "inventory:warehouse_edit": {"pk": warehouse.pk},
        "inventory:count_sheet": {"pk": warehouse.pk},
        "inventory:stock_level_edit": {"pk": movement.stock_level_id},
    }


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
    for name, view_class in permissioned_pages():
        url = reverse(name, kwargs=sample.get(name, {}))
        allowed = view_class.permission_required in ROLES[role].permissions
        if issubclass(view_class, ObjectActionView):
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
        response = client.post(url) if issubclass(view, ObjectActionView) else client.get(url)
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
