"""The kernel's registries: what the apps contribute arrives without the kernel importing them."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from oms import registry
from oms.celery import RegistryScheduler, app
from oms.registry import Seeder
from oms.roles import ROLES
from tests.factories import CustomerFactory


def test_every_app_mounts_its_urls_and_beat_jobs():
    assert {module for _prefix, module in registry.registry.url_modules} >= {
        "customers.urls",
        "inventory.urls",
        "orders.urls",
    }
    schedule = registry.beat_schedule()
    assert {
        "flush-outbox",
        "low-stock-digest",
        "stock-ledger-check",
        "order-priorities",
        "reservation-check",
    } <= schedule.keys()
    assert all(job["options"]["expires"] > 0 for job in schedule.values())


def test_beat_scheduler_runs_the_registered_jobs(tmp_path):
    scheduler = RegistryScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lazy=True)
    scheduler.setup_schedule()
    assert "reservation-check" in scheduler.schedule
    assert scheduler.schedule["flush-outbox"].task == "oms.tasks.flush_outbox"
    scheduler.close()


def test_seeders_run_after_what_they_depend_on():
    names = [seeder.name for seeder in registry.seeders_in_order()]
    assert names.index("users") < names.index("customers") < names.index("orders")
    assert names.index("inventory") < names.index("orders")


def test_seeder_cycles_and_unknown_dependencies_are_refused(monkeypatch):
    monkeypatch.setattr(registry.registry, "seeders", {})
    registry.register_seeder(Seeder("a", lambda c: None, depends_on=("b",)))
    registry.register_seeder(Seeder("b", lambda c: None, depends_on=("a",)))
    with pytest.raises(ImproperlyConfigured, match="depend on each other"):
        registry.seeders_in_order()
    monkeypatch.setattr(registry.registry, "seeders", {})
    registry.register_seeder(Seeder("a", lambda c: None, depends_on=("missing",)))
    with pytest.raises(ImproperlyConfigured, match="nobody registers"):
        registry.seeders_in_order()


def test_granting_an_unknown_role_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="unknown role"):
        registry.grant("intern", {"orders.view_order"})


def test_every_role_gets_its_rights_from_the_apps():
    assert "orders.approve_order" in ROLES["reviewer"].permissions
    assert "customers.change_customer" not in ROLES["reviewer"].permissions
    assert {"inventory.receive_stock", "orders.start_picking"} <= ROLES["warehouse"].permissions
    assert "oms.view_outboxmessage" in ROLES["admin"].permissions


@pytest.mark.django_db
def test_migrate_builds_the_role_groups_from_the_registrations():
    from django.contrib.auth.models import Group

    for name, role in ROLES.items():
        group = Group.objects.get(name=name)
        granted = {
            f"{app_label}.{codename}"
            for app_label, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert granted == role.permissions, name


def test_references_resolve_to_the_app_that_owns_them():
    assert registry.resolve_reference("SO-2026-000123") == "/orders/SO-2026-000123/"
    assert registry.resolve_reference("OPENING") is None


def test_audit_filter_offers_every_registered_model():
    labels = dict(registry.audited_model_choices())
    assert {"customers.customer", "inventory.workorder", "orders.approvalrule"} <= labels.keys()


@pytest.mark.django_db
def test_customer_page_carries_the_orders_panel_and_button_only_for_order_users(client_for):
    customer = CustomerFactory()
    sales = client_for("sales").get(customer.get_absolute_url()).content.decode()
    assert "Order history" in sales
    assert "/orders/new/?customer=" in sales


@pytest.mark.django_db
def test_dashboard_shows_each_role_only_its_tiles_and_panels(client_for):
    warehouse = client_for("warehouse").get("/").content.decode()
    assert "Stock value at standard cost" in warehouse
    assert "Latest stock movements" in warehouse
    assert "Order backlog" in warehouse
    reviewer = client_for("reviewer").get("/").content.decode()
    assert "Latest stock movements" not in reviewer
    assert "Active customers" in reviewer


def test_a_sidebar_section_is_declared_once():
    section = registry.registry.nav_sections["aftersales"]
    # The same declaration again is harmless (a module imported twice) ...
    registry.register_nav_section(section.key, section.label, order=section.order)
    # ... a different one would silently move the section: refused.
    with pytest.raises(ImproperlyConfigured):
        registry.register_nav_section(section.key, section.label, order=section.order + 1)
    assert registry.registry.nav_sections["aftersales"] == section
