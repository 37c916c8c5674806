"""Customers from a file: create, update, duplicates, regions by code or name, bad rows."""

import pytest

from customers.models import Address, Customer
from oms.models import AuditLog
from tests.factories import UserFactory
from tests.intake.helpers import results, run_job

HEADER = "code,name,phone,email,region,city,street\n"


@pytest.fixture
def manager(db):
    return UserFactory(username="importer", role="manager")


def test_customers_are_created_then_updated_and_the_same_file_again_changes_nothing(manager):
    text = (
        HEADER
        + "c-1,上海星光灯饰,13800138000,a@example.com,上海,上海市,张江路 88 号\n"
        + "C-2,Guangzhou Lights,13900139000,,Guangdong,广州,天河路 1 号\n"
        + "C-3,成都照明,13700137000,,SC,成都,人民南路 5 号\n"
    )
    job = run_job(manager, "customers", text.encode())
    assert (job.created, job.updated, job.skipped, job.errors) == (3, 0, 0, 0)
    first = Customer.objects.get(code="C-1")
    assert first.region == "SH"
    assert Customer.objects.get(code="C-2").region == "GD"
    address = Address.objects.get(customer=first)
    assert (address.street, address.is_default_shipping) == ("张江路 88 号", True)
    assert AuditLog.objects.filter(action="customer.create", actor=manager).count() == 3

    again = run_job(manager, "customers", text.encode())
    assert (again.created, again.updated, again.skipped) == (0, 0, 3)
    assert Customer.objects.count() == 3

    moved = HEADER + "C-1,上海星光灯饰,13800138000,a@example.com,浙江省,杭州,文三路 9 号\n"
    job = run_job(manager, "customers", moved.encode())
    assert job.updated == 1
    first.refresh_from_db()
    assert first.region == "ZJ"
    assert Address.objects.get(customer=first, is_default_shipping=True).city == "杭州"


def test_bad_rows_are_reported_with_their_column_and_the_others_imported(manager):
    text = (
        HEADER
        + "C-1,Good,13800138000,,SH,上海,路 1 号\n"
        + "C-2,Bad region,13800138000,,Atlantis,x,y\n"
        + "C-3,Bad phone,12,,SH,上海,路 2 号\n"
        + ",No code,13800138000,,SH,上海,路 3 号\n"
        + "C-1,Twice,13800138000,,SH,上海,路 1 号\n"
    )
    job = run_job(manager, "customers", text.encode())
    rows = results(job)
    assert rows[0][:2] == (2, "create")
    assert rows[1][:3] == (3, "error", "region")
    assert "Atlantis" in rows[1][3]
    assert rows[2][:3] == (4, "error", "phone")
    assert rows[3][:3] == (5, "error", "code")
    assert rows[4][:3] == (6, "skip", "code")
    assert list(Customer.objects.values_list("code", flat=True)) == ["C-1"]
