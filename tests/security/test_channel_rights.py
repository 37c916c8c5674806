"""Only managers and admins see and change sales channels; a channel's secret never leaves."""

import pytest

from orders.models import Channel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["sales", "reviewer", "warehouse", "finance", "logistics"])
def test_other_roles_neither_see_nor_add_channels(client, role):
    client.force_login(UserFactory(username=f"ch-{role}", role=role))
    back_office = Channel.objects.get(code="back_office")
    assert client.get("/channels/").status_code == 403
    assert client.get(f"/channels/{back_office.pk}/").status_code == 403
    response = client.post("/channels/new/", {"code": "evil", "name": "Evil", "kind": "api"})
    assert response.status_code == 403
    assert client.post(f"/channels/{back_office.pk}/deactivate/").status_code == 403
    tokens = f"/channels/{back_office.pk}/tokens/new/"
    assert client.post(tokens, {"name": "x", "scopes": ["orders:write"]}).status_code == 403
    assert not back_office.api_tokens.exists()
    assert not Channel.objects.filter(code="evil").exists()
    assert Channel.objects.get(code="back_office").is_active


def test_a_bad_code_and_a_second_back_office_are_refused(client):
    client.force_login(UserFactory(username="ch-mgr", role="manager"))
    for code, kind in (("Bad Code!", "api"), ("bo2", "back_office"), ("web_shop", "api")):
        response = client.post(
            "/channels/new/",
            {"code": code, "name": "X", "kind": kind, "customer_group": "retail"},
        )
        assert response.status_code == 422, code
    assert Channel.objects.count() == 5
