"""Payment pages: the list (with CSV export), a payment's page, the "Record payment" form and
the POST-only "Apply credit" and "Refund" actions."""

import uuid

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import payment_selectors as selectors
from billing.payment_forms import PaymentForm, RefundForm
from billing.payment_selectors import refunds_of_credit_note
from billing.payment_tables import PaymentAllocationTable, PaymentFilterSet, PaymentTable
from billing.payments import credit_apply, credit_balance, payment_record
from billing.refunds import refund_create, refundable
from billing.selectors import credit_note_detail, invoice_detail
from customers.selectors import customers_visible_to
from oms.db import typed_id
from oms.generic import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    get_object_or_404,
)
from oms.money import ZERO
from oms.tables import compact_table, format_money

VIEW = "billing.view_payment"
RECORD = "billing.record_payment"


class PaymentListView(ObjectListView):
    permission_required = VIEW
    filterset_class = PaymentFilterSet
    table_class = PaymentTable
    title = gettext_lazy("Payments")
    export_name = "payments"
    actions = [(gettext_lazy("Record payment"), "billing:payment_create", RECORD, "cash-coin")]

    def get_queryset(self):
        return selectors.payment_list(self.request.user)


class PaymentDetailView(ObjectDetailView):
    permission_required = VIEW
    template_name = "billing/payment_detail.html"

    def lookup(self, pk):
        return selectors.payment_detail(pk, self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        payment = self.object
        context["allocations"] = compact_table(
            PaymentAllocationTable,
            list(selectors.allocations_of_payment(payment)),
            request=self.request,
        )
        context["refunds"] = list(payment.refunds.select_related("credit_note"))
        context["customer_credit"] = credit_balance(payment.customer_id)
        context["can_apply"] = self.request.user.has_perm(RECORD) and context["customer_credit"] > 0
        return context


class PaymentCreateView(ObjectEditView):
    """Record a receipt. The generic form token doubles as the payment's idempotency key: a
    double submit (or a reload of the POST) records one payment."""

    permission_required = RECORD
    form_class = PaymentForm
    template_name = "billing/payment_form.html"
    title = gettext_lazy("Record payment")
    submit_label = gettext_lazy("Record payment")
    list_url_name = "billing:payment_list"

    def get_form_kwargs(self):
        kwargs = {"user": self.request.user}
        customer, invoice = None, None
        if invoice_pk := self.request.GET.get("invoice", "").strip():
            if (pk := typed_id(invoice_pk)) is not None:
                invoice = invoice_detail(pk, self.request.user)
            customer = invoice.customer if invoice else None
        elif code := self.request.GET.get("customer", "").strip()[:20]:
            customer = customers_visible_to(self.request.user).filter(code=code.upper()).first()
        if customer is not None:
            kwargs["customer"] = customer
            initial = {}
            if invoice is not None and invoice.open_amount > 0:
                initial = {"invoices": [invoice.pk], "amount": invoice.open_amount}
            kwargs["initial"] = initial
        return kwargs

    def save(self, form):
        data = form.cleaned_data
        token = self.request.POST.get("form_token", "").strip() or str(uuid.uuid4())
        return payment_record(
            actor=self.request.user,
            customer=data["customer"],
            amount=data["amount"],
            method=data["method"],
            received_on=data["received_on"],
            idempotency_key=f"form:{token}"[:64],
            reference=data["reference"],
            payer=data["payer"],
            invoices=list(data["invoices"]) or None,
            fee=data["fee"],
            note=data["note"],
        )

    def success_message(self, obj):
        if obj.unapplied:
            return _("Recorded %(payment)s; %(credit)s is the customer's credit.") % {
                "payment": obj,
                "credit": format_money(obj.unapplied),
            }
        return _("Recorded %(payment)s.") % {"payment": obj}


class CreditApplyView(ObjectActionView):
    """Use a customer's credit on their open invoices, oldest due first."""

    permission_required = RECORD

    def perform(self, request, **kwargs):
        customer = get_object_or_404(
            lambda pk: customers_visible_to(request.user).filter(pk=pk).first(), kwargs["pk"]
        )
        applied = credit_apply(actor=request.user, customer=customer)
        return _("Applied %(amount)s of %(customer)s's credit.") % {
            "amount": format_money(applied),
            "customer": customer,
        }


class RefundCreateView(ObjectEditView):
    """Pay back part or all of what a credit note released, by the receipt's method or
    another; what finance does not refund stays the customer's credit. A second submit is
    refused by refund_create (one refund per credit note), with nothing written."""

    permission_required = RECORD
    form_class = RefundForm
    template_name = "billing/refund_form.html"
    title = gettext_lazy("Refund")
    submit_label = gettext_lazy("Refund")

    def lookup(self, pk):
        return credit_note_detail(pk, self.request.user)

    def get_form_kwargs(self):
        receipt, amount = refundable(self.object)
        self.receipt, self.refundable = receipt, amount
        return {"receipt": receipt, "refundable": amount}

    def get_extra_context(self):
        note = self.object
        return {
            "receipt": self.receipt,
            "refundable": self.refundable,
            "released": sum((r.amount for r in note.releases.all()), ZERO),
            "refunds": list(refunds_of_credit_note(note)),
        }

    def save(self, form):
        return refund_create(
            actor=self.request.user,
            credit_note=self.object,
            amount=form.cleaned_data["amount"],
            method=form.cleaned_data["method"],
        )

    def success_message(self, obj):
        return _("Refunded %(amount)s (%(payment)s).") % {
            "amount": format_money(-obj.amount),
            "payment": obj,
        }

    def get_success_url(self, obj):
        return self.object.get_absolute_url()
