"""A customer's statement of account for a period: the opening balance, every invoice, credit
note, payment and refund of the period in date order with the running balance, the closing
balance, and the aging at the end date. The same HTML is the screen view and the PDF, in the
customer's language (en or zh).

balance = Σ invoices − Σ credit notes − Σ payments (receipts positive, refunds negative):
what the customer owes; below zero it is their credit.

`statement_html(customer, start, end)` and `statement_pdf(customer, start, end) -> bytes` are
what the reminder e-mails attach; `statements_write` makes a batch (one PDF per customer, in
a zip) for a file job.
"""

import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.choices import InvoiceStatus, PaymentKind
from billing.models import CreditNote, Installment, Invoice, Payment
from billing.receivables import BUCKETS, IS_OPEN, bucket_of
from customers.models import Customer
from oms.documents import barcode_svg, render_document_html, render_pdf
from oms.money import ZERO

TEMPLATE = "billing/statement.html"


@dataclass
class Entry:
    day: date
    kind: str  # invoice, credit_note, payment, refund
    label: str
    reference: str
    debit: Decimal  # raises what the customer owes
    credit: Decimal  # lowers it
    balance: Decimal = ZERO


def _language(customer: Customer) -> str:
    return "zh-hans" if (customer.language or "").lower().startswith("zh") else "en"


def _sum(queryset, field: str) -> Decimal:
    return queryset.aggregate(total=Coalesce(Sum(field), ZERO))["total"]


def _issued(customer: Customer):
    return Invoice.objects.filter(customer=customer).exclude(status=InvoiceStatus.HELD)


def balance_on(customer: Customer, day: date) -> Decimal:
    """What the customer owed at the end of `day`."""
    invoices = _sum(_issued(customer).filter(issue_date__lte=day), "total")
    notes = _sum(CreditNote.objects.filter(customer=customer, issue_date__lte=day), "total")
    paid = _sum(Payment.objects.filter(customer=customer, received_on__lte=day), "amount")
    return invoices - notes - paid


def statement_entries(customer: Customer, start: date, end: date) -> list[Entry]:
    entries = [
        Entry(i.issue_date, "invoice", _("Invoice"), i.number or "", i.total, ZERO)
        for i in _issued(customer).filter(issue_date__range=(start, end))
    ]
    entries += [
        Entry(n.issue_date, "credit_note", _("Credit note"), n.number, ZERO, n.total)
        for n in CreditNote.objects.filter(customer=customer, issue_date__range=(start, end))
    ]
    for p in Payment.objects.filter(customer=customer, received_on__range=(start, end)):
        if p.kind == PaymentKind.REFUND:
            entries.append(Entry(p.received_on, "refund", _("Refund"), p.number, -p.amount, ZERO))
        else:
            label = _("Payment") + f" · {p.get_method_display()}"
            ref = p.number + (f" ({p.reference})" if p.reference else "")
            entries.append(Entry(p.received_on, "payment", label, ref, ZERO, p.amount))
    order = {"invoice": 0, "credit_note": 1, "payment": 2, "refund": 3}
    entries.sort(key=lambda e: (e.day, order[e.kind], e.reference))
    return entries


def aging_at(customer: Customer, end: date) -> list[tuple[str, Any, Decimal]]:
    """The customer's open installments in buckets by days overdue at `end`. The open amounts
    are today's (payments after `end` have already reduced them)."""
    amounts = dict.fromkeys((name for name, _label in BUCKETS), ZERO)
    installments = Installment.objects.filter(IS_OPEN, customer=customer).filter(
        Q(invoice__issue_date__lte=end)
    )
    for installment in installments.only("due_date", "amount", "amount_paid", "amount_credited"):
        amounts[bucket_of(installment.due_date, end)] += installment.open_amount
    return [(name, label, amounts[name]) for name, label in BUCKETS]


def statement_context(customer: Customer, start: date, end: date) -> dict[str, Any]:
    opening = balance_on(customer, date.fromordinal(start.toordinal() - 1))
    entries = statement_entries(customer, start, end)
    balance = opening
    for entry in entries:
        balance += entry.debit - entry.credit
        entry.balance = balance
    number = f"ST-{customer.code}-{end:%Y%m%d}"
    aging = aging_at(customer, end)
    return {
        "customer": customer,
        "start": start,
        "end": end,
        "opening": opening,
        "entries": entries,
        "closing": balance,
        "debits": sum((e.debit for e in entries), ZERO),
        "credits": sum((e.credit for e in entries), ZERO),
        "aging": aging,
        "aging_total": sum((amount for _n, _l, amount in aging), ZERO),
        "title": _("Statement of account"),
        "document_number": number,
        "barcode": barcode_svg(number),
        "printed_at": timezone.localtime(),
        "OMS_COMPANY_NAME": settings.OMS_COMPANY_NAME,
    }


def statement_html(
    customer: Customer, start: date, end: date, *, request=None, for_pdf: bool = False
) -> str:
    with translation.override(_language(customer)):
        context = statement_context(customer, start, end)
        if request is not None:
            query = request.GET.copy()
            query["format"] = "pdf"
            context["pdf_url"] = f"?{query.urlencode()}"
            context["back_url"] = request.path.rsplit("statement/", 1)[0]
        return render_document_html(TEMPLATE, context, request, for_pdf=for_pdf)


def statement_pdf(customer: Customer, start: date, end: date) -> bytes:
    with translation.override(_language(customer)):
        return render_pdf(TEMPLATE, statement_context(customer, start, end))


def statement_file_name(customer: Customer, end: date) -> str:
    return f"statement-{customer.code}-{end:%Y%m%d}.pdf"


def statements_write(customers, start: date, end: date, path: Path, progress) -> int:
    """A zip of one statement PDF per customer, reporting progress after each."""
    customers = list(customers)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, customer in enumerate(customers, start=1):
            archive.writestr(
                statement_file_name(customer, end), statement_pdf(customer, start, end)
            )
            progress(done, len(customers))
    return len(customers)


KIND = "billing.statements"


def statement_customers(user, ids):
    from customers.selectors import customers_visible_to

    return customers_visible_to(user).filter(pk__in=list(ids)).order_by("code")


def batch_write(job, part: Path, progress) -> int:
    """A statements job's zip: one PDF per chosen customer the user may still see."""
    from django.core.exceptions import PermissionDenied

    user = job.user
    if not user.is_active or not user.has_perm("billing.view_invoice"):
        raise PermissionDenied(f"{user} may not print statements")
    start = date.fromisoformat(job.parameters["start"])
    end = date.fromisoformat(job.parameters["end"])
    customers = statement_customers(user, job.parameters.get("customers", []))
    total = customers.count()
    progress.report(0, total, force=True)
    return statements_write(
        customers, start, end, part, lambda done, _total: progress.report(done, total, force=True)
    )


def batch_start(
    *, actor, customer_ids: list[int], start: date, end: date, query_string: str, language: str
):
    """Queue the statements of the chosen customers (those the user sees) for a worker."""
    from django.urls import reverse

    from oms.errors import ServiceError
    from oms.filejobs import file_job_start

    ids = sorted(statement_customers(actor, customer_ids).values_list("pk", flat=True))
    if not ids:
        raise ServiceError(_("No customer matches these filters."))
    if len(ids) > settings.OMS_DOCUMENT_BATCH_MAX:
        raise ServiceError(
            _("At most %(count)s statements are made at once; narrow the filters.")
            % {"count": settings.OMS_DOCUMENT_BATCH_MAX}
        )
    return file_job_start(
        user=actor,
        kind=KIND,
        path=reverse("billing:receivable_list"),
        list_name="billing:receivable_list",
        query_string=query_string,
        language=language,
        parameters={"customers": ids, "start": start.isoformat(), "end": end.isoformat()},
    )


def _batch_kind():
    from datetime import timedelta

    from django.utils.translation import ngettext

    from oms.filejobs import FileJobKind

    return FileJobKind(
        code=KIND,
        suffix=".zip",
        content_type="application/zip",
        write=batch_write,
        title=lambda job: (
            ngettext(
                "Statements: %(count)s customer",
                "Statements: %(count)s customers",
                len(job.parameters.get("customers", [])),
            )
            % {"count": len(job.parameters.get("customers", []))}
        ),
        download_name=lambda job: f"statements-{job.parameters.get('end', '')}.zip",
        progress_text=lambda done, total: (
            _("%(done)s of %(total)s statements") % {"done": done, "total": total}
        ),
        download_text=lambda job: (
            _("Download the statements (%(count)s PDF files, zip)") % {"count": job.items_done}
        ),
        failed_text=lambda: _("The statements did not finish, so no file was kept. Try again."),
        removed_text=lambda: _("This file has been removed. Make the statements again."),
        keep=lambda: timedelta(days=settings.OMS_DOCUMENT_BATCH_KEEP_DAYS),
    )


STATEMENT_BATCH = _batch_kind()
