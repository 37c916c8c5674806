"""Finance in the browser: one payment settles two invoices oldest first, the delivered orders
complete; a credit note on one of them, refunded partly (the rest stays the customer's credit);
the reminders page with a final notice and the customer's credit hold. Screenshots at 1280 and
390 px, in English and Chinese."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from billing import services
from billing.dunning import customer_remind, dunning_settings
from billing.models import CreditNote, Invoice, Payment
from orders.choices import OrderStatus
from orders.models import Order
from shipping import services as shipping_services
from shipping.permissions import ShipmentAction
from tests.billing.conftest import Billing
from tests.billing.test_receivables import Ledger
from tests.e2e.test_back_office_flow import shot
from tests.e2e.test_order_flow import sign_in, watch_policy
from tests.factories import UserFactory


def delivered_on_account(billing, customer, price, tracking):
    """An order on account, dispatched (invoiced for its shipment) and delivered."""
    product = billing.product(price)
    order = billing.allocated_order(
        (product, 2), stock=[(product, billing.shanghai, 2)], customer=customer
    )
    [shipment] = billing.packed(order)
    shipment = shipping_services.shipment_dispatch(
        actor=None, shipment=shipment, details=billing.details(tracking=tracking)
    )
    [invoice] = services.order_bill(order_id=order.pk)
    shipping_services.shipment_record_progress(
        actor=None, shipment=shipment, action=ShipmentAction.DELIVERED
    )
    return invoice


@pytest.mark.django_db(transaction=True)
def test_finance_pays_two_invoices_refunds_part_of_a_credit_note_and_sees_reminders(
    page: Page, live_server
):
    billing = Billing()
    customer = billing.business(payment_terms="net_30", name="华东照明批发")
    older = delivered_on_account(billing, customer, "120.00", "SF1000000101")
    newer = delivered_on_account(billing, customer, "80.00", "SF1000000102")
    late = Ledger(billing)
    overdue = late.customer(name="北京光源工程", credit_limit=Decimal("5000.00"))
    late.invoice(overdue, (95, "2300.00"))
    # The daily job on the last three days: friendly, firm, then the final notice (one level
    # a day), which puts the customer on credit hold.
    days = dunning_settings().days()
    for back in (2, 1, 0):
        day = timezone.localdate() - timedelta(days=back)
        customer_remind(
            customer_id=overdue.pk, on=day, days=days, at=timezone.now() - timedelta(days=back)
        )
    UserFactory(username="qian", role="finance")

    violations: list[str] = []
    watch_policy(page, violations)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "qian")

    # One payment for both invoices, none chosen: the oldest is settled first.
    page.goto(f"{live_server.url}/payments/new/?customer={customer.code}")
    page.fill("#id_amount", str(older.total + newer.total))
    page.select_option("#id_method", "bank_transfer")
    page.fill("#id_reference", "CMB-20261130-01")
    page.click("main button[type=submit]")
    expect(page.locator("body")).to_contain_text(older.number)
    expect(page.locator("body")).to_contain_text(newer.number)
    payment = Payment.objects.get(reference="CMB-20261130-01")
    shot(page, "finance-payment-1280-en")
    for invoice in (older, newer):
        invoice.refresh_from_db()
        assert invoice.open_amount == 0
        assert Order.objects.get(pk=invoice.order_id).status == OrderStatus.COMPLETED
    page.goto(f"{live_server.url}{older.order.get_absolute_url()}")
    expect(page.locator("body")).to_contain_text("Completed")

    # A credit note for one unit of the older invoice, then a partial refund.
    page.goto(f"{live_server.url}/invoices/{older.pk}/credit/")
    page.fill("#id_line_1", "1")
    page.fill("#id_note", "一件运输破损")
    page.click("main button[type=submit]")
    note = CreditNote.objects.get(invoice=older)
    expect(page.locator("h1")).to_contain_text(note.number)
    page.click(f"a[href='/credit-notes/{note.pk}/refund/']")
    expect(page.locator("#id_amount")).to_have_value(str(note.total))
    shot(page, "finance-refund-form-1280-en")
    page.fill("#id_amount", "50.00")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("Refunded")
    refund = Payment.objects.get(credit_note=note)
    assert refund.amount == Decimal("-50.00")
    expect(page.locator("main")).to_contain_text("went back to the customer's credit")
    shot(page, "finance-credit-note-1280-en")

    # The reminders: the final notice of the overdue customer, and its credit hold.
    page.goto(f"{live_server.url}/reminders/")
    expect(page.locator("tbody")).to_contain_text("北京光源工程")
    shot(page, "finance-reminders-1280-en")
    page.click("tbody a:has-text('北京光源工程') >> nth=0")
    expect(page.locator("#customer-reminders")).to_contain_text("Credit hold")

    pages = {
        "payment": f"/payments/{payment.pk}/",
        "invoice": f"/invoices/{older.pk}/",
        "credit-note": f"/credit-notes/{note.pk}/",
        "refund-form": f"/credit-notes/{note.pk}/refund/",
        "reminders": "/reminders/",
        "held-customer": f"/customers/{overdue.pk}/",
    }
    for language, code in (("en", "en"), ("zh", "zh-hans")):
        page.context.add_cookies(
            [{"name": "django_language", "value": code, "url": live_server.url}]
        )
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in pages.items():
                page.goto(f"{live_server.url}{path}")
                expect(page.locator("h1")).to_be_visible()
                shot(page, f"finance-{name}-{width}-{language}")
    page.goto(f"{live_server.url}/customers/{overdue.pk}/")
    expect(page.locator("#customer-reminders")).to_contain_text("信用冻结")
    assert Invoice.objects.get(pk=older.pk).amount_paid == older.total - note.total
    assert violations == []
