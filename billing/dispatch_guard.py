"""Prepaid orders ship once they are paid: the dispatch guard billing registers with shipping
(shipping.hooks.dispatch_guards), asked by every dispatch path (the shipment page's dispatch
form, the pack station, batch dispatch, a store pickup handover) with the shipment locked.

It reads the order's invoices, never a copied flag: a prepaid order passes when it has issued
invoices and nothing is open on them (Σ total − credited − paid = 0). It is refused with the
reason when an invoice still waits for the customer's fapiao details (held: it cannot be paid
yet), when no invoice exists yet (the worker has not billed the confirmation), or when money is
still open. Cash on delivery and on-account orders always pass: they are invoiced at dispatch.

seed_demo writes its history app by app (oms.demo.writing_history): its dispatches pass, and
the billing seeder then pays every dispatched prepaid demo order, dated before its dispatch.
"""

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from billing.choices import InvoiceStatus
from billing.models import Invoice
from customers.choices import PaymentTerms
from oms.demo import writing_history
from oms.money import ZERO
from oms.tables import format_money
from shipping.models import Shipment

# Invoices that still ask for money (a credited one asks for nothing).
BILLED = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_CREDITED)


def prepaid_refusal(shipment: Shipment) -> str | None:
    """Why this shipment may not leave yet, or None."""
    order = shipment.order
    if order.payment_terms != PaymentTerms.PREPAID or writing_history():
        return None
    invoices = list(
        Invoice.objects.filter(order=order)
        .filter(Q(status=InvoiceStatus.HELD) | Q(status__in=BILLED))
        .order_by("pk")
        .values_list("status", "number", "total", "amount_credited", "amount_paid")
    )
    if any(status == InvoiceStatus.HELD for status, *_rest in invoices):
        return _(
            "%(order)s is prepaid and its invoice waits for the customer's fapiao details: "
            "it cannot be paid yet, so it cannot be dispatched."
        ) % {"order": order}
    if not invoices:
        return _("%(order)s is prepaid and has no invoice yet: it cannot be dispatched.") % {
            "order": order
        }
    open_invoices = [
        (number, total - credited - paid)
        for _status, number, total, credited, paid in invoices
        if total - credited - paid > 0
    ]
    unpaid = sum((amount for _number, amount in open_invoices), ZERO)
    if unpaid <= Decimal(0):
        return None
    return _("%(order)s is prepaid and %(amount)s is still unpaid (%(invoices)s).") % {
        "order": order,
        "amount": format_money(unpaid),
        "invoices": ", ".join(number for number, _amount in open_invoices),
    }
