"""Invoices by payment terms, their totals to the cent, fapiao details, immutability and the
credit notes that correct them."""

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError, InternalError, transaction
from django.test import RequestFactory

from billing import services
from billing.choices import CreditReason, InvoiceStatus
from billing.models import CreditNote, Invoice
from customers.models import Customer
from oms.errors import ServiceError
from orders import services as order_services
from orders.models import Order
from shipping.models import Shipment
from tests.factories import UserFactory
from tests.helpers import queries_of

pytestmark = pytest.mark.django_db
D = Decimal


def confirmed(billing, customer, *lines, stock=10):
    for product, _quantity in lines:
        billing.stock(product, billing.shanghai, stock)
    order = billing.order(customer, *lines)
    return order_services.order_submit(actor=None, order=order)


def credited_total(invoice) -> Decimal:
    return sum((n.total for n in CreditNote.objects.filter(invoice=invoice)), D(0))


def test_a_prepaid_order_is_invoiced_at_confirmation_with_its_lines_and_totals(billing, run_hooks):
    lamp, shade = billing.product("99.90"), billing.product("33.33")
    with run_hooks():
        order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 3), (shade, 7))
    [invoice] = billing.invoices(order)
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.number.startswith("INV-")
    assert invoice.number.endswith("-000001")
    assert invoice.issue_date == invoice.due_date  # prepaid: due at once
    assert (invoice.subtotal, invoice.tax_total, invoice.shipping_fee, invoice.total) == (
        order.subtotal,
        order.tax_total,
        order.shipping_fee,
        order.total,
    )
    lines = {line.order_line_no: line for line in invoice.lines.all()}
    for order_line in order.lines.all():
        copied = lines[order_line.line_no]
        assert (copied.quantity, copied.unit_price, copied.tax_rate) == (
            order_line.quantity,
            order_line.unit_price,
            order_line.tax_rate,
        )
        assert (copied.net_amount, copied.tax_amount, copied.total) == (
            order_line.net_amount,
            order_line.tax_amount,
            order_line.line_total,
        )
        assert copied.description == order_line.description
    assert invoice.taxpayer_id == order.customer.taxpayer_id
    assert invoice.buyer_name == "上海光明照明有限公司"


def test_an_order_on_account_queues_no_billing_task_at_confirmation(
    billing, django_capture_on_commit_callbacks
):
    """Billed at dispatch: confirming it queues nothing for billing (one task fewer per order
    at intake)."""
    lamp = billing.product("99.90")
    with django_capture_on_commit_callbacks() as prepaid_callbacks:
        confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 1))
    with django_capture_on_commit_callbacks() as on_account_callbacks:
        order = confirmed(billing, billing.business(payment_terms="net_30"), (lamp, 1))
    assert len(on_account_callbacks) == len(prepaid_callbacks) - 1
    assert not billing.invoices(order)


def test_billing_twice_writes_nothing_the_second_time(billing, run_hooks):
    lamp = billing.product("10.00")
    with run_hooks():
        order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 2))
    assert services.order_bill(order_id=order.pk) == []
    assert Invoice.objects.count() == 1


def test_an_order_on_account_is_invoiced_per_shipment_and_adds_up_to_the_cent(
    billing, run_hooks, settings
):
    settings.OMS_ROUNDING = "ROUND_HALF_UP"
    lamp = billing.product("33.33")
    billing.stock(lamp, billing.shanghai, 2)  # two warehouses: two shipments
    billing.stock(lamp, billing.guangzhou, 5)
    customer = billing.business(payment_terms="net_30")
    order = order_services.order_submit(actor=None, order=billing.order(customer, (lamp, 7)))
    first, second = billing.picked(order)
    with run_hooks():
        billing.dispatch(first, tracking="SF1")
    assert order.invoices.count() == 1
    with run_hooks():
        billing.dispatch(Shipment.objects.get(pk=second.pk), tracking="SF2")
    invoices = billing.invoices(order)
    assert [i.shipment_id for i in invoices] == [first.pk, second.pk]
    order.refresh_from_db()
    assert sum(i.total for i in invoices) == order.total
    assert sum(i.tax_total for i in invoices) == order.tax_total
    assert sum(i.subtotal for i in invoices) == order.subtotal
    assert [i.shipping_fee for i in invoices] == [order.shipping_fee, D("0.00")]
    assert all(
        i.due_date - i.issue_date == __import__("datetime").timedelta(days=30) for i in invoices
    )


@pytest.mark.parametrize("mode", ["ROUND_HALF_UP", "ROUND_DOWN"])
def test_shares_of_a_line_add_up_to_the_line_in_every_rounding_mode(settings, mode):
    settings.OMS_ROUNDING = mode
    whole = services.Share(
        line_no=1,
        sku="X",
        description="x",
        quantity=7,
        unit_price=D("33.33"),
        tax_rate=D("0.13"),
        discount=D("0.01"),
        net=D("206.46"),
        tax=D("26.84"),
    )
    first = services.part_of(whole, 2)
    second = services.part_of(whole, 3, first)
    third = services.part_of(whole, 2, first.plus(second))
    expected_first = {"ROUND_HALF_UP": D("58.99"), "ROUND_DOWN": D("58.98")}[mode]
    assert first.net == expected_first  # 206.46 × 2 / 7 = 58.988…
    assert first.plus(second).plus(third) == whole


def test_cash_on_delivery_is_invoiced_at_dispatch(billing, run_hooks):
    lamp = billing.product("50.00")
    customer = billing.customer(kind="individual", payment_terms="cod")
    order = confirmed(billing, customer, (lamp, 1))
    [shipment] = billing.picked(order)
    with run_hooks():
        billing.dispatch(shipment)
    [invoice] = billing.invoices(order)
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.total == order.total
    assert invoice.buyer_name == customer.name  # an individual: the person's name, no id


def test_a_business_without_taxpayer_id_gets_a_held_invoice_that_finance_issues(billing, run_hooks):
    lamp = billing.product("20.00")
    customer = billing.customer(kind="business", payment_terms="prepaid", taxpayer_id="")
    with run_hooks():
        order = confirmed(billing, customer, (lamp, 1))
    [held] = billing.invoices(order)
    assert held.status == InvoiceStatus.HELD
    assert held.number is None
    assert "taxpayer id" in held.hold_reason
    finance = UserFactory(username="fin", role="finance")
    with pytest.raises(ServiceError, match="no taxpayer id"):
        services.invoice_issue(actor=finance, invoice=held)
    with pytest.raises(ServiceError, match="no taxpayer id"):
        services.order_bill(order_id=order.pk, strict=True)
    Customer.objects.filter(pk=customer.pk).update(taxpayer_id="91110000600037341X")
    with pytest.raises(ServiceError, match="not a valid unified social credit code"):
        services.invoice_issue(actor=finance, invoice=held)
    Customer.objects.filter(pk=customer.pk).update(taxpayer_id="91110000600037341L")
    issued = services.invoice_issue(actor=finance, invoice=held)
    assert issued.number.endswith("-000001")
    assert issued.taxpayer_id == "91110000600037341L"
    assert issued.issued_by == finance


def test_an_invoice_for_a_cancelled_order_is_refused(billing, run_hooks):
    lamp = billing.product("20.00")
    customer = billing.customer(kind="business", payment_terms="prepaid", taxpayer_id="")
    with run_hooks():
        order = confirmed(billing, customer, (lamp, 1))
    [held] = billing.invoices(order)
    Customer.objects.filter(pk=customer.pk).update(taxpayer_id="91110000600037341L")
    Order.objects.filter(pk=order.pk).update(status="cancelled")  # the hook has not run yet
    with pytest.raises(ServiceError, match="is cancelled"):
        services.invoice_issue(actor=UserFactory(role="finance"), invoice=held)
    with pytest.raises(ServiceError, match="is cancelled"):
        services.order_bill(order_id=order.pk, strict=True)
    services.order_bill(order_id=order.pk)  # the automatic path: the held invoice goes
    assert not Invoice.objects.filter(order=order).exists()


def test_an_issued_invoice_cannot_be_edited(billing, run_hooks):
    lamp = billing.product("20.00")
    with run_hooks():
        order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 1))
    [invoice] = billing.invoices(order)
    with pytest.raises(ServiceError, match="issue a credit note"):
        services.invoice_change(actor=None, invoice=invoice, data={"total": D("1.00")})
    for change in (
        {"total": D("1.00"), "subtotal": D("1.00"), "tax_total": 0, "shipping_fee": 0},
        {"taxpayer_id": "91110000600037341L"},
        {"status": "held", "number": None},
    ):
        with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
            Invoice.objects.filter(pk=invoice.pk).update(**change)
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        invoice.lines.update(quantity=5)
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).delete()
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    admin = site._registry[Invoice]
    assert not admin.has_change_permission(request, invoice)
    assert not admin.has_delete_permission(request, invoice)


def test_an_amendment_that_lowers_quantities_gives_one_credit_note_for_the_difference(
    billing, run_hooks
):
    lamp, shade = billing.product("99.90"), billing.product("15.50")
    with run_hooks():
        order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 5), (shade, 4))
    [invoice] = billing.invoices(order)
    with run_hooks():
        order_services.order_amend(actor=None, order=order, changes={1: 3, 2: 4})
    order.refresh_from_db()
    [note] = CreditNote.objects.filter(invoice=invoice)
    assert note.reason == CreditReason.AMENDMENT
    assert note.number.startswith("CN-")
    [line] = note.lines.all()
    assert (line.order_line_no, line.quantity) == (1, 2)
    assert invoice.total - note.total == order.total  # to the cent
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTLY_CREDITED
    assert Invoice.objects.filter(order=order).count() == 1


def test_an_amendment_that_adds_gives_a_full_credit_note_and_a_new_invoice(billing, run_hooks):
    lamp = billing.product("99.90")
    with run_hooks():
        order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 2))
    [first] = billing.invoices(order)
    with run_hooks():
        order_services.order_amend(actor=None, order=order, changes={1: 4})
    order.refresh_from_db()
    first.refresh_from_db()
    assert first.status == InvoiceStatus.CREDITED
    assert credited_total(first) == first.total
    [_old, new] = billing.invoices(order)
    assert new.total == order.total
    assert new.number.endswith("-000002")
    assert new.lines.get().quantity == 4


def test_a_cancellation_gives_a_full_credit_note(billing, run_hooks):
    lamp = billing.product("99.90")
    with run_hooks():
        order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 2))
    [invoice] = billing.invoices(order)
    with run_hooks():
        order_services.order_cancel(actor=None, order=order, reason="customer changed mind")
    [note] = CreditNote.objects.filter(invoice=invoice)
    assert note.reason == CreditReason.CANCELLATION
    assert note.total == invoice.total
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CREDITED
    assert invoice.open_amount == 0


def test_finance_credits_part_of_an_invoice_and_never_more_than_is_open(billing, run_hooks):
    lamp = billing.product("33.33")
    with run_hooks():
        order = confirmed(billing, billing.business(payment_terms="prepaid"), (lamp, 3))
    [invoice] = billing.invoices(order)
    finance = UserFactory(username="fin", role="finance")
    with pytest.raises(ServiceError, match="Say why"):
        services.credit_note_create(actor=finance, invoice=invoice, quantities={1: 1}, note=" ")
    with pytest.raises(ServiceError, match="units left"):
        services.credit_note_create(actor=finance, invoice=invoice, quantities={1: 4}, note="x")
    first = services.credit_note_create(
        actor=finance, invoice=invoice, quantities={1: 1}, note="one arrived broken"
    )
    second = services.credit_note_create(
        actor=finance, invoice=invoice, quantities={1: 2}, shipping=True, note="the rest"
    )
    assert first.total + second.total == invoice.total
    with pytest.raises(ServiceError, match="Only an issued invoice"):
        services.credit_note_create(actor=finance, invoice=invoice, quantities={1: 1}, note="x")


def test_invoicing_an_order_costs_a_fixed_number_of_statements(billing, run_hooks):
    products = [billing.product("25.00") for _ in range(5)]
    order = confirmed(
        billing, billing.business(payment_terms="prepaid"), *[(p, 2) for p in products]
    )
    queries = queries_of(lambda: services.order_bill(order_id=order.pk))
    # Lock the customer, then the order (the lock order payments take too); its open invoices
    # (none: nothing prefetched); its lines; the counter; the invoice; its lines in one
    # statement; its installment and the customer's receivables row; the audit row; the
    # customer's message: its template and its outbox row. It runs in its own transaction
    # after the order's, which it costs nothing.
    assert len(queries.statements) == 12, "\n".join(queries.statements)
