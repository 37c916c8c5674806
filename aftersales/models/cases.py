"""Complaints: a case per customer's problem, with its service level, timeline and files."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import Customer
from inventory.models import Product
from orders.models import Order
from shipping.models import Shipment

CASE_NUMBER_SEQUENCE = "aftersales_case_number"


class CaseCategory(models.TextChoices):
    DELIVERY_DELAY = "delivery_delay", _("Delivery delay")
    DAMAGED = "damaged", _("Damaged goods")
    DEFECTIVE = "defective", _("Defective product")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    SERVICE = "service", pgettext_lazy("case category", "Service")
    BILLING = "billing", pgettext_lazy("case category", "Billing")
    OTHER = "other", pgettext_lazy("case category", "Other")


class CasePriority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "Open")
    WAITING = "waiting", _("Waiting for customer")
    RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


# The one table of status changes: case_set_status refuses anything else.
CASE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.OPEN: (CaseStatus.WAITING, CaseStatus.RESOLVED, CaseStatus.CLOSED),
    CaseStatus.WAITING: (CaseStatus.OPEN, CaseStatus.RESOLVED, CaseStatus.CLOSED),
    CaseStatus.RESOLVED: (CaseStatus.OPEN, CaseStatus.CLOSED),
    CaseStatus.CLOSED: (),
}
ACTIVE_STATUSES = (CaseStatus.OPEN, CaseStatus.WAITING)


class CaseAttachmentStorage(FileSystemStorage):
    """Private files: in OMS_CASE_ATTACHMENT_DIR, outside the web root, with no URL (the
    download view checks the right). The folder is read from the settings when used, so a
    changed setting (tests) counts."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.OMS_CASE_ATTACHMENT_DIR)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property  # type: ignore[override]
    def base_url(self) -> None:
        return None


def case_attachment_storage() -> FileSystemStorage:
    return CaseAttachmentStorage()


class Case(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    shipment = models.ForeignKey(
        Shipment,
        verbose_name=_("shipment"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # As shipment lines record it: free text.
    lot = models.CharField(_("lot / batch"), max_length=60, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=CaseCategory.choices)
    priority = models.CharField(
        _("priority"), max_length=10, choices=CasePriority.choices, default=CasePriority.NORMAL
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    # A case opened from a recall list names its lot here: one case per customer and lot.
    recall_lot = models.CharField(_("recall of lot"), max_length=60, blank=True)

    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The deadlines, counted in office hours from opened_at plus the time spent waiting.
    response_due_at = models.DateTimeField(_("first response due"))
    resolution_due_at = models.DateTimeField(_("resolution due"))
    # The deadline that matters now (first response, then resolution) and when its warning
    # goes out; both empty while the clock stops (waiting for the customer) and once resolved.
    sla_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True)
    sla_warn_at = models.DateTimeField(_("SLA warning"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("working time waited (s)"), default=0)
    # Office time to the first response and to the resolution, without the time waited.
    response_seconds = models.PositiveIntegerField(_("time to respond (s)"), null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(
        _("time to resolve (s)"), null=True, blank=True
    )
    resolved_within_sla = models.BooleanField(_("resolved within SLA"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["sla_due_at", "id"],
                name="case_sla_queue",
                condition=Q(sla_due_at__isnull=False),
            ),
            models.Index(fields=["status", "-id"], name="case_status_newest"),
            models.Index(fields=["customer", "-id"], name="case_customer_newest"),
            models.Index(fields=["order", "-id"], name="case_order_newest"),
            models.Index(fields=["-resolved_at"], name="case_resolved_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "recall_lot"],
                condition=~Q(recall_lot=""),
                name="one_recall_case_per_customer_and_lot",
            ),
            models.CheckConstraint(
                condition=Q(resolution_due_at__gte=models.F("response_due_at")),
                name="case_resolution_due_after_response",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("aftersales:case_detail", args=[self.number])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class CaseEventKind(models.TextChoices):
    OPENED = "opened", pgettext_lazy("case event", "Opened")
    NOTE = "note", _("Staff note")
    CUSTOMER = "customer", _("Customer's message")
    STATUS = "status", _("Status change")
    ASSIGN = "assign", _("Assignment")
    PRIORITY = "priority", _("Priority change")
    ATTACHMENT = "attachment", _("Attachment")
    ESCALATION = "escalation", _("Escalation")
    # A return was requested from the case: to_value holds the return's id.
    RETURN = "return", pgettext_lazy("case event", "Return")


class CaseEvent(models.Model):
    """The case's timeline: notes and messages as typed, and what happened to the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=CaseEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    body = models.TextField(_("text"), blank=True)
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_event_timeline")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=case_attachment_storage, upload_to="%Y/%m/", max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class EscalationLevel(models.IntegerChoices):
    WARNING = 1, _("SLA nearly used")
    BREACH = 2, _("SLA missed")


class CaseEscalation(models.Model):
    """One warning per case, deadline and level: the unique key makes the job send it once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    target = models.CharField(
        _("deadline"),
        max_length=12,
        choices=[("response", _("First response")), ("resolution", _("Resolution"))],
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=EscalationLevel.choices)
    due_at = models.DateTimeField(_("due"))
    recipients = models.JSONField(_("recipients"), default=list)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("case escalation")
        verbose_name_plural = _("case escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "target", "level"], name="one_escalation_per_case_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.target} {self.level}"
