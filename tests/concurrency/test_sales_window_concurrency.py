"""The dashboard's sales windows against a day's refresh running at the same time, in real
transactions: a window summed while a day inside it is rewritten would keep the old figures
forever (the day's refresh deletes only windows it can see). The windows' lock makes the
day's refresh wait for the windows' transaction, then drop what it summed."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from orders.analytics import (
    NOT_SALES,
    sales_summaries_refresh,
    sales_summary_refresh,
    sales_windows_refresh,
)
from orders.dashboard_figures import top_products
from orders.models import Order, SalesWindow
from orders.services import order_cancel
from tests.factories import UserFactory
from tests.orders.conftest import Catalog
from tests.orders.test_dashboard_figures import direct_top_products, shown
from tests.orders.test_sales_analytics import build_sales_book

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_days_refresh_waits_for_the_windows_and_drops_what_they_summed():
    today = timezone.localdate()
    book = build_sales_book(Catalog(), today)
    manager = UserFactory(username="boss", role="manager")
    sales_summaries_refresh(start=book["days"][0], end=book["days"][-1])
    day = book["days"][1]
    late = Order.objects.filter(created_at__date=day).exclude(status__in=NOT_SALES).first()
    order_cancel(actor=None, order=late, reason="late")  # the summaries still count it

    windows_summed, release, refreshed = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def windows() -> None:
        try:
            with transaction.atomic():
                sales_windows_refresh()  # sums the day's old rows
                windows_summed.set()
                release.wait(10)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def day_refresh() -> None:
        try:
            windows_summed.wait(10)
            sales_summary_refresh(day=day)
            refreshed.set()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=windows), threading.Thread(target=day_refresh)]
    for thread in threads:
        thread.start()
    assert windows_summed.wait(10)
    assert not refreshed.wait(1.0)  # the day's refresh waits for the windows' transaction
    release.set()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    assert refreshed.is_set()
    # The windows summed over the old rows are gone; the page sums the new summaries.
    assert not SalesWindow.objects.filter(first_day__lte=day, last_day__gte=day).exists()
    expected = direct_top_products(today - timedelta(days=29), today)
    assert shown(top_products(user=manager, days=30, limit=10)) == expected
    sales_windows_refresh()
    assert shown(top_products(user=manager, days=30, limit=10)) == expected
