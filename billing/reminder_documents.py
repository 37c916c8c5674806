"""What a reminder e-mail attaches, made by the outbox worker when it sends
(oms.registry.register_attachment_maker): the customer's statement of account
(billing.statements, in the customer's language) from the first open invoice to the day of
the reminder, so the customer sees every overdue invoice, payment and credit note at once."""

from datetime import date

from billing.statements import statement_file_name, statement_pdf
from customers.models import Customer


def statement_attachment(customer_id: int, start: str, end: str) -> tuple[str, bytes, str]:
    customer = Customer.objects.get(pk=customer_id)
    last = date.fromisoformat(end)
    pdf = statement_pdf(customer, date.fromisoformat(start), last)
    return statement_file_name(customer, last), pdf, "application/pdf"
