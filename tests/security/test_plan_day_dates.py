"""The dispatch plan's day actions refuse far dates with a message (9999-12-31 overflowed
the day after and answered 500)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from shipping.models import DeliveryDay
from tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "shipping:delivery_day_open",
        "shipping:delivery_day_close",
        "shipping:delivery_slot_capacity",
    ],
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_far_dates_are_refused_with_a_message(client_for, name, day):
    warehouse = WarehouseFactory()
    response = client_for("logistics").post(
        reverse(name), {"warehouse": warehouse.pk, "date": day, "slot": "", "capacity": "3"}
    )
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == ["Choose a warehouse and a date."]
    assert not DeliveryDay.objects.exists()
