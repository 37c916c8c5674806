"""What overdue reminders say (oms.messaging.notify; registered in registrations.py). All
three are essential (a payment due reaches customers who opted out of the others). Sent by
billing.dunning in the job's transaction, once per customer, level and set of invoices; by
e-mail with the customer's statement when the customer has an address (an SMS carries the short
text only). The firm reminder copies the customer's salesperson."""

from django.utils.translation import gettext_lazy as _

from oms.registry import MessageEvent, MessageText

VARIABLES = {
    "customer_name": _("Customer name"),
    "invoice_list": _("The overdue invoices, one a line: number · date · total · open (days)"),
    "invoice_numbers": _("The overdue invoices' numbers"),
    "overdue_total": _("Overdue amount"),
    "days_overdue": _("Days overdue (the oldest)"),
    "company": _("Your company's name"),
}
SAMPLE = {
    "customer_name": "上海明亮灯饰有限公司",
    "invoice_list": "INV-2026-000123 · 2026-09-01 · 12,430.00 · 12,430.00 (38)",
    "invoice_numbers": "INV-2026-000123",
    "overdue_total": "12,430.00",
    "days_overdue": 38,
    "company": "明亮灯饰",
}
GREETING_EN = "Dear {{ customer_name }},\n\n"
GREETING_ZH = "{{ customer_name }}，您好：\n\n"
LIST_EN = (
    "\n\n{{ invoice_list }}\n\nOverdue in total: ¥{{ overdue_total }}. Your statement of "
    "account is attached. If you have paid in the meantime, please ignore this message.\n\n{{ company }}"
)
LIST_ZH = (
    "\n\n{{ invoice_list }}\n\n逾期合计：¥{{ overdue_total }}。对账单附于邮件中。"
    "如您已付款，请忽略本通知。\n\n{{ company }}"
)

REMINDER_FRIENDLY = MessageEvent(
    code="invoice.reminder1",
    label=_("Payment reminder (friendly)"),
    essential=True,
    defaults={
        "en": MessageText(
            subject="Payment reminder: {{ invoice_numbers }}",
            body=GREETING_EN + "we may have missed your payment: the following invoices are "
            "past due. We would be grateful if you could settle them soon." + LIST_EN,
            sms="{{ company }}: invoices {{ invoice_numbers }} are past due, "
            "¥{{ overdue_total }}. Please pay soon; ignore if paid.",
        ),
        "zh-hans": MessageText(
            subject="付款提醒：{{ invoice_numbers }}",
            body=GREETING_ZH + "以下发票已过付款期限，烦请尽快安排付款。" + LIST_ZH,
            sms="【{{ company }}】发票{{ invoice_numbers }}已逾期，金额¥{{ overdue_total }}，"
            "请尽快付款，已付请忽略。",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

REMINDER_FIRM = MessageEvent(
    code="invoice.reminder2",
    label=_("Payment reminder (firm)"),
    essential=True,
    defaults={
        "en": MessageText(
            subject="Second reminder: {{ invoice_numbers }} overdue",
            body=GREETING_EN + "despite our earlier reminder, the following invoices are still "
            "unpaid, {{ days_overdue }} days past due. Please pay them within 7 days; your "
            "salesperson is copied on this message." + LIST_EN,
            sms="{{ company }}: second reminder, ¥{{ overdue_total }} overdue "
            "{{ days_overdue }} days ({{ invoice_numbers }}). Please pay within 7 days.",
        ),
        "zh-hans": MessageText(
            subject="第二次催款：{{ invoice_numbers }} 已逾期",
            body=GREETING_ZH + "尽管我们已提醒过，以下发票仍未付款，已逾期 {{ days_overdue }} 天。"
            "请于 7 日内付款；本邮件已抄送您的销售代表。" + LIST_ZH,
            sms="【{{ company }}】第二次催款：¥{{ overdue_total }}已逾期{{ days_overdue }}天，"
            "请于7日内付款。",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

REMINDER_FINAL = MessageEvent(
    code="invoice.reminder3",
    label=_("Final notice (credit hold)"),
    essential=True,
    defaults={
        "en": MessageText(
            subject="Final notice: {{ invoice_numbers }}, your account is on hold",
            body=GREETING_EN + "the following invoices are {{ days_overdue }} days past due. "
            "Your account is on credit hold: we cannot ship new orders until the overdue "
            "amount is paid." + LIST_EN,
            sms="{{ company }}: final notice, ¥{{ overdue_total }} overdue. Your account is on "
            "credit hold until it is paid.",
        ),
        "zh-hans": MessageText(
            subject="最后通知：{{ invoice_numbers }}，您的账户已暂停信用",
            body=GREETING_ZH + "以下发票已逾期 {{ days_overdue }} 天。您的账户已被暂停信用："
            "在逾期款项付清之前，我们无法发运新订单。" + LIST_ZH,
            sms="【{{ company }}】最后通知：¥{{ overdue_total }}已逾期，账户已暂停信用，付清后恢复。",
        ),
    },
    variables=VARIABLES,
    sample=SAMPLE,
)

REMINDER_EVENTS = (REMINDER_FRIENDLY, REMINDER_FIRM, REMINDER_FINAL)
