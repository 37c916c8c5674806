"""Starting a big export writes a job row: only a POST with a CSRF token may do that. The
export link (a GET) streams a small export and writes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from oms.generic import ObjectListView
from oms.models import FileJob
from tests.oms.test_roles_matrix import our_url_patterns
from tests.orders.conftest import Catalog

pytestmark = pytest.mark.django_db
LIST_PAGES = [
    name
    for name, view in our_url_patterns()
    if view is not None and issubclass(view, ObjectListView)
]


@pytest.fixture
def many_orders(db, settings, tmp_path):
    settings.OMS_FILE_JOB_DIR = tmp_path
    settings.OMS_EXPORT_INLINE_MAX_ROWS = 2
    catalog = Catalog()
    product, customer = catalog.product(), catalog.customer()
    return [catalog.order(customer, (product, 1)) for _ in range(3)]


def test_a_get_never_starts_an_export(many_orders, admin_client):
    page = admin_client.get("/orders/?status=draft&export=csv")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'method="post"' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert "Prepare the export" in text
    assert not FileJob.objects.exists()

    started = admin_client.post("/orders/?status=draft&export=csv", {"export": "csv"})
    assert started.status_code == 302
    job = FileJob.objects.get()
    assert job.query_string == "status=draft"


def test_starting_an_export_needs_the_csrf_token(many_orders, django_user_model):
    user = django_user_model.objects.create_superuser("csrf-admin", "a@example.com", "pw")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    refused = client.post("/orders/?export=csv", {"export": "csv"})
    assert refused.status_code == 403
    assert not FileJob.objects.exists()


def test_a_list_takes_no_other_post(many_orders, admin_client):
    assert admin_client.post("/orders/", {"export": "csv"}).status_code == 405
    assert not FileJob.objects.exists()


@pytest.mark.parametrize("name", LIST_PAGES)
def test_every_list_exports_small_from_a_get_and_writes_nothing(
    name, many_orders, admin_client, settings
):
    settings.OMS_EXPORT_INLINE_MAX_ROWS = 100
    response = admin_client.get(reverse(name) + "?export=csv")
    assert response.status_code == 200, name
    assert response["Content-Type"].startswith("text/csv"), name
    assert not FileJob.objects.exists()
