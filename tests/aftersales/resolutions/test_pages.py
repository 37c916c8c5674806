"""The resolution card on the return page and the list filter: who sees the form, what the
card says once resolved, and the filter by resolution."""

import pytest

from aftersales.resolutions import return_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspected(resolutions, run_hooks):
    lamp = resolutions.product("100.00")
    order = resolutions.paid_order(run_hooks, (lamp, 2))
    return resolutions.inspected(order, 1, reason="changed_mind")


def test_the_form_is_there_for_those_who_may_resolve_an_inspected_return(client_for, inspected):
    page = client_for("customer_service").get(f"/returns/{inspected.number}/").content.decode()
    assert 'data-form="resolve"' in page
    assert "By the reason: kept" in page  # a change of mind keeps the shipping fee
    page = client_for("warehouse").get(f"/returns/{inspected.number}/").content.decode()
    assert 'data-form="resolve"' not in page


def test_the_card_tells_what_was_done_and_the_list_filters_by_it(client_for, inspected):
    record = return_resolve(
        actor=None, return_request=inspected, resolution="refund", refund_shipping=None, note="ok"
    )
    client = client_for("customer_service")
    page = client.get(f"/returns/{inspected.number}/").content.decode()
    assert 'data-form="resolve"' not in page
    assert 'data-resolution="refund"' in page
    assert record.refunds.get().number in page
    assert record.credit_notes.get().number in page
    listed = client.get("/returns/?resolved_as=refund").content.decode()
    assert inspected.number in listed
    assert inspected.number not in client.get("/returns/?resolved_as=exchange").content.decode()
    assert client.get("/returns/?resolved_as=%27%3B--").status_code == 200
