"""A case and the returns it led to: the service links them (same customer and order, a case
still open), the case's page lists them and offers "Create return", the return's page names
its case, the case's timeline tells the return."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.http import urlencode

from aftersales import case_services
from aftersales import return_services as rs
from aftersales.models import CaseEvent, CaseEventKind, ReturnRequest
from oms.models import AuditLog
from tests.factories import UserFactory


def open_case(order, *, actor=None, subject="Lamp flickers"):
    return case_services.case_open(
        actor=actor,
        request=case_services.CaseRequest(
            customer=order.customer, category="defective", subject=subject, order=order
        ),
    )


def create_url(order, case) -> str:
    return (
        reverse("aftersales:return_create")
        + "?"
        + urlencode({"order": order.number, "case": case.number})
    )


def form_data(order, quantity=1, **extra):
    line = order.lines.get()
    return {
        f"line_{line.pk}": quantity,
        "order": order.number,
        "reason": "defective",
        "resolution": "refund",
        **extra,
    }


@pytest.fixture
def order(returns):
    return returns.delivered_order((returns.product(sku="CASE-R1"), 2))


def test_a_return_requested_from_a_case_is_linked_and_told_on_its_timeline(returns, order):
    agent = UserFactory(role="customer_service")
    case = open_case(order)
    rma = returns.request(order, 1, actor=agent, case=case)
    assert rma.case == case
    assert list(case.returns.all()) == [rma]
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.RETURN)
    assert event.to_value == str(rma.pk)
    assert event.actor == agent
    audit = AuditLog.objects.get(action="return.request")
    assert audit.changes["case"] == case.number


@pytest.mark.parametrize("which", ["other_order", "other_customer", "no_order", "closed"])
def test_a_case_of_another_order_or_customer_or_closed_is_refused(returns, order, which):
    product = returns.product(sku="CASE-R2")
    if which == "other_order":
        case = open_case(returns.delivered_order((product, 1), customer=order.customer))
    elif which == "other_customer":
        case = open_case(returns.delivered_order((product, 1)))
    elif which == "no_order":
        case = case_services.case_open(
            actor=None,
            request=case_services.CaseRequest(
                customer=order.customer, category="service", subject="Rude driver"
            ),
        )
    else:
        case = open_case(order)
        case_services.case_set_status(actor=None, case=case, status="closed")
    events = CaseEvent.objects.count()
    with pytest.raises(rs.ReturnError) as refused:
        returns.request(order, 1, case=case)
    assert case.number in str(refused.value)
    assert ReturnRequest.objects.count() == 0
    assert CaseEvent.objects.count() == events


def test_a_case_the_actor_may_not_see_is_refused(returns, order, settings):
    settings.OMS_SALES_OWN_CUSTOMERS_ONLY = True
    case = open_case(order)
    stranger = UserFactory(role="sales")
    with pytest.raises(PermissionDenied):
        returns.request(order, 1, actor=stranger, case=case)
    assert ReturnRequest.objects.count() == 0


def test_create_return_from_the_case_page(returns, order, client_for):
    case = open_case(order)
    client = client_for("customer_service")
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="case-returns"' in page
    assert "No return came from this case." in page
    assert create_url(order, case).replace("&", "&amp;") in page

    form = client.get(create_url(order, case))
    assert form.status_code == 200
    html = form.content.decode()
    assert f'name="case" value="{case.number}"' in html
    assert case.subject in html

    response = client.post(reverse("aftersales:return_create"), form_data(order, case=case.number))
    rma = ReturnRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == rma.get_absolute_url()
    assert rma.case == case

    page = client.get(case.get_absolute_url()).content.decode()
    assert rma.get_absolute_url() in page
    assert f"Return {rma} created" in page
    assert "status-return-requested" in page
    # Once approved, the timeline and the card name it by its RMA number.
    rma = rs.return_approve(actor=None, request=rma)
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"Return {rma.number} created" in page
    assert rma.get_absolute_url() in page

    detail = client.get(rma.get_absolute_url()).content.decode()
    assert 'id="return-case"' in detail
    assert case.get_absolute_url() in detail
    assert case.subject in detail


def test_no_create_button_when_nothing_may_come_back_or_the_case_is_closed(
    returns, order, client_for
):
    case = open_case(order)
    returns.request(order, 2, case=case)  # everything delivered is in a return now
    client = client_for("customer_service")
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="case-returns"' in page
    assert 'id="case-new-return"' not in page

    other = returns.delivered_order((returns.product(sku="CASE-R3"), 1), customer=order.customer)
    closed = open_case(other)
    case_services.case_set_status(actor=None, case=closed, status="closed")
    assert 'id="case-new-return"' not in client.get(closed.get_absolute_url()).content.decode()

    # Sales may see cases and request returns: the button is theirs too.
    live = open_case(other, subject="Second complaint")
    client = client_for("sales")
    assert 'id="case-new-return"' in client.get(live.get_absolute_url()).content.decode()


def test_the_return_page_names_the_case_only_to_those_who_may_see_cases(returns, order, client_for):
    case = open_case(order, subject="Flicker complaint")
    rma = returns.request(order, 1, case=case)
    warehouse = client_for("warehouse")
    html = warehouse.get(rma.get_absolute_url()).content.decode()
    assert 'id="return-case"' not in html
    assert case.number not in html
    sales = client_for("sales")
    html = sales.get(rma.get_absolute_url()).content.decode()
    assert case.number in html
    assert "Flicker complaint" in html
