"""A shop platform's order whose requested date has passed is taken, not lost, but the passed
date earns it no urgency; people entering orders in the back office still cannot type one."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from orders import services
from orders.choices import ChannelCode, OrderStatus
from orders.models import Order
from orders.priority import DEFAULT_WEIGHTS
from orders.services import LineRequest, refresh_priorities
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def stocked(catalog):
    product = catalog.product()
    catalog.stock(product, catalog.shanghai, 50)
    return catalog.customer(), product


def place(customer, product, *, channel, requested, reference):
    return services.order_place(
        actor=None,
        customer=customer,
        lines=[LineRequest(product, 1)],
        channel=channel,
        external_reference=reference,
        requested_delivery_date=requested,
    )


def factors(order):
    return {r["factor"]: r["points"] for r in order.priority_reasons}


def test_a_channel_order_with_a_passed_date_is_taken_without_the_urgency(stocked):
    customer, product = stocked
    sent = {"channel": ChannelCode.WEB_SHOP, "requested": today() - timedelta(days=3)}
    late = place(customer, product, reference="SHOP-1", **sent)
    late.refresh_from_db()
    assert late.status == OrderStatus.ALLOCATED
    assert late.requested_delivery_date == today() - timedelta(days=3)  # kept as sent
    assert factors(late) == {"passed_on_arrival": 0}
    # The same order wanted today is overdue on the day it arrives, and gets the points.
    due = place(
        customer, product, channel=ChannelCode.WEB_SHOP, requested=today(), reference="SHOP-2"
    )
    due.refresh_from_db()
    assert factors(due) == {"due": DEFAULT_WEIGHTS["overdue"]}
    assert due.priority_score == late.priority_score + DEFAULT_WEIGHTS["overdue"]

    # The nightly refresh keeps it so; a delivery again is the same order.
    refresh_priorities(today=today() + timedelta(days=2))
    late.refresh_from_db()
    assert factors(late) == {"passed_on_arrival": 0}
    again = place(customer, product, reference="SHOP-1", **sent)
    assert again.pk == late.pk


def test_back_office_entry_still_refuses_a_passed_date(stocked):
    customer, product = stocked
    yesterday = today() - timedelta(days=1)
    sales = UserFactory(username="sales-d", role="sales")
    # The form's path (order_create), whatever channel the person picks, and a back-office
    # order placed at once.
    for channel in (ChannelCode.BACK_OFFICE, ChannelCode.WEB_SHOP):
        with pytest.raises(ValidationError, match="past"):
            services.order_create(
                actor=sales,
                customer=customer,
                lines=[LineRequest(product, 1)],
                channel=channel,
                requested_delivery_date=yesterday,
            )
    with pytest.raises(ValidationError, match="past"):
        place(customer, product, channel=ChannelCode.BACK_OFFICE, requested=yesterday, reference="")
    assert not Order.objects.exists()


def test_the_order_page_says_why_there_is_no_urgency(stocked, client_for):
    customer, product = stocked
    passed = today() - timedelta(days=4)
    order = place(
        customer, product, channel=ChannelCode.MARKETPLACE, requested=passed, reference="M-1"
    )
    page = client_for("sales").get(order.get_absolute_url()).content.decode()
    assert f"requested date {passed.isoformat()} had passed when the order came in +0" in page
