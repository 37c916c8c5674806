"""Schemathesis against the channel API's own OpenAPI schema: generated requests (valid and
not) to every operation, with a token holding every scope; no answer may be a server error,
and each answer must match what the schema promises."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from oms.wsgi import application
from orders.intake.channels import channel_save
from orders.intake.tokens import token_create
from tests.orders.conftest import Catalog

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def wsgi_in_test_transaction():
    """Called straight, the WSGI app closes the connection after each request (as a server
    needs); the test's transaction must survive, as Django's test client arranges."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, wsgi_in_test_transaction):
    catalog = Catalog()
    product = catalog.product("25.00", sku="FUZZ-1")
    catalog.stock(product, catalog.shanghai, 1_000)
    catalog.customer(code="C-FUZZ")
    shop = channel_save(
        actor=None, channel=None, data={"code": "fuzz-api", "name": "Fuzz", "kind": "shopify"}
    )
    scopes = ["orders:write", "orders:read", "shipments:read"]
    return token_create(actor=None, channel=shop, name="fuzz", scopes=scopes)[1]


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_generated_request_breaks_the_api(case, token):
    response = case.call(app=application, headers={"Authorization": f"Bearer {token}"})
    case.validate_response(
        response,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
