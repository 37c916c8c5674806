"""Imports: who may import what, other users' imports, double submits, bad parameters."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from inventory.models import Product
from oms import imports
from oms.models import ImportJob
from tests.factories import UserFactory

CUSTOMERS = "code,name,phone,email,region,city,street\nC-1,x,13800138000,,SH,上海,路 1 号\n"


@pytest.fixture(autouse=True)
def import_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "OMS_IMPORT_DIR", tmp_path / "imports")


def upload(client, kind, text=CUSTOMERS, mode="check"):
    file = SimpleUploadedFile("f.csv", text.encode())
    return client.post("/imports/new/", {"kind": kind, "file": file, "mode": mode})


@pytest.mark.django_db
def test_roles_without_an_importer_cannot_open_the_pages(client):
    client.force_login(UserFactory(username="fin", role="finance"))
    for url in ("/imports/", "/imports/new/", "/imports/template/?kind=customers"):
        assert client.get(url).status_code == 403, url
    assert upload(client, "customers").status_code == 403
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_a_kind_the_user_may_not_import_is_refused(client):
    client.force_login(UserFactory(username="s", role="sales"))
    text = "sku,name,unit_price,tax_rate,weight_kg\nP-1,x,1,13,1\n"
    response = upload(client, "products", text)
    assert response.status_code == 422
    assert ImportJob.objects.count() == 0
    assert Product.objects.count() == 0
    assert client.get("/imports/template/?kind=products").status_code == 404
    assert upload(client, "no-such-kind").status_code == 422
    with pytest.raises(PermissionDenied):  # the service refuses too
        imports.job_start(
            user=UserFactory(username="s2", role="sales"),
            kind="products",
            upload=SimpleUploadedFile("f.csv", text.encode()),
            dry_run=True,
            language="en",
        )


@pytest.mark.django_db
def test_another_users_import_does_not_exist(client):
    owner = UserFactory(username="owner", role="sales")
    job = imports.job_start(
        user=owner,
        kind="customers",
        upload=SimpleUploadedFile("f.csv", CUSTOMERS.encode()),
        dry_run=True,
        language="en",
    )
    imports.job_run(job_id=job.pk)
    client.force_login(UserFactory(username="other", role="sales"))
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.get(f"/imports/{job.pk}/errors.csv").status_code == 404
    assert client.post(f"/imports/{job.pk}/import/").status_code == 404
    assert job.imports.count() == 0
    assert b"f.csv" not in client.get("/imports/").content
    # Administrators may open it (support), the owner too.
    client.force_login(UserFactory(username="root", role="admin"))
    assert client.get(f"/imports/{job.pk}/").status_code == 200
    client.force_login(owner)
    assert client.get(f"/imports/{job.pk}/").status_code == 200


@pytest.mark.django_db
def test_importing_a_check_twice_makes_one_import_and_an_unfinished_check_none(client):
    user = UserFactory(username="owner", role="sales")
    client.force_login(user)
    response = upload(client, "customers")
    check = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{check.pk}/"
    # Not finished yet: refused with a message, nothing queued.
    response = client.post(f"/imports/{check.pk}/import/", follow=True)
    assert "Only a finished check can be imported." in response.content.decode()
    assert ImportJob.objects.count() == 1
    imports.job_run(job_id=check.pk)
    first = client.post(f"/imports/{check.pk}/import/")
    second = client.post(f"/imports/{check.pk}/import/")
    assert first["Location"] == second["Location"]
    assert ImportJob.objects.filter(dry_run=False).count() == 1
    commit = ImportJob.objects.get(dry_run=False)
    imports.job_run(job_id=commit.pk)
    imports.job_run(job_id=commit.pk)  # a second delivery of the task
    assert Customer.objects.count() == 1
    # An import (not a check) cannot be "imported" again.
    response = client.post(f"/imports/{commit.pk}/import/", follow=True)
    assert "Only a finished check can be imported." in response.content.decode()


@pytest.mark.django_db
def test_bad_parameters_and_files_get_a_message_never_a_500(client):
    client.force_login(UserFactory(username="s", role="sales"))
    assert client.get("/imports/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/imports/template/?kind=%00").status_code in (400, 404)
    for content, name, message in (
        (b"", "f.csv", "empty"),
        (b"\n\n", "f.csv", "Columns missing"),
        (b"PK\x03\x04garbage", "f.xlsx", "This is not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0", "f.xls", "Old Excel files"),
        ("\ufeffcode\n".encode(), "f.csv", "Columns missing"),
    ):
        response = client.post(
            "/imports/new/",
            {"kind": "customers", "file": SimpleUploadedFile(name, content), "mode": "check"},
        )
        assert response.status_code == 422, name
        assert message in response.content.decode(), name
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_a_manager_sees_the_imports_of_others(client):
    owner = UserFactory(username="owner-m", role="sales")
    job = imports.job_start(
        user=owner,
        kind="customers",
        upload=SimpleUploadedFile("leads.csv", CUSTOMERS.encode()),
        dry_run=True,
        language="en",
    )
    imports.job_run(job_id=job.pk)
    client.force_login(UserFactory(username="boss", role="manager"))
    assert b"leads.csv" in client.get("/imports/").content
    assert client.get(f"/imports/{job.pk}/").status_code == 200
