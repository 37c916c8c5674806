"""The customer's order page reads a fixed number of queries, however many parcels and
tracking events the order has (bench/track_page.py measures its time)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.shipping.public_page import PublicOrders, busy_order, page_url

# Order; lines with products; shipments with their events, tracking events and lines with
# products (4); the timeline; billing's invoices, credit notes and two sums (4); after-sales'
# returns of the order, and once parcels are out what was delivered per line with the lines
# (3); a session and CSRF cost nothing on an anonymous GET.
QUERIES = 16


def queries(client, order) -> int:
    url = page_url(order)
    client.get(url)  # the token made, the caches warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_busy_page_reads_as_many_queries_as_the_quiet_one(client):
    public = PublicOrders()
    quiet = busy_order(public, shipments=1, events=1, tag="Q")
    busy = busy_order(public, shipments=5, events=50, tag="B")
    html = client.get(page_url(busy)).content.decode()
    assert html.count("data-shipment=") == 5
    assert html.count("快件已到达转运中心") == 50
    assert queries(client, quiet) == QUERIES
    assert queries(client, busy) == QUERIES


@pytest.mark.django_db
def test_the_open_orders_delivery_choices_read_a_fixed_number_of_queries(client):
    """The delivery section reads the slots of every warehouse at once."""
    public = PublicOrders()
    one = public.open_order(warehouses=1)
    counted = queries(client, one)
    two = public.open_order(warehouses=2)
    html = client.get(page_url(two)).content.decode()
    assert html.count('data-form="delivery-time"') == 2
    assert queries(client, two) == counted
