import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.choices import FileJobStatus, ImportAction, MessageChannel, MessageLanguage, OutboxStatus


class AuditLog(models.Model):
    """One row per write made through a service: who changed what, and how."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class OutboxMessage(models.Model):
    """A message to a person or another system, written in the business transaction.

    A worker delivers it after commit; a beat job retries anything left pending, so a
    message is never lost when the broker or the mail server is down.
    """

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    channel = models.CharField(
        _("channel"), max_length=20, choices=MessageChannel.choices, default=MessageChannel.EMAIL
    )
    recipients = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # A customer message (oms.messaging.notify) also says which event it tells, to whom
    # ("customers.customer:42", for the customer's communication log) and in which language.
    event_code = models.CharField(_("event"), max_length=64, blank=True)
    recipient_ref = models.CharField(_("recipient"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # E-mail only: copies (a salesperson on a firm reminder) and attachments made when sent,
    # as [{"code": maker code, "args": {...}}] (oms.registry.register_attachment_maker).
    cc = models.JSONField(_("copies"), default=list, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # What the message is about (["orders.order:7"]), so the order page lists what its
    # customer was told about it; a payment may settle several orders.
    about_refs = models.JSONField(_("about"), default=list, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["recipient_ref", "-created_at"],
                name="outbox_recipient_idx",
                condition=~models.Q(recipient_ref=""),
            ),
            GinIndex(fields=["about_refs"], name="outbox_about_idx", opclasses=["jsonb_path_ops"]),
        ]

    def __str__(self) -> str:
        return self.subject


SERIES_MAX_LENGTH = 20


class DocumentCounter(models.Model):
    """The last gapless number handed out per series (invoices, credit notes) and year.

    Only `oms.numbering.next_gapless_number` changes it, under a row lock held in the
    transaction that writes the document.
    """

    series = models.CharField(_("series"), max_length=SERIES_MAX_LENGTH)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        ordering = ["series", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="document_counter_series_year")
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last_number}"


class SubmittedForm(models.Model):
    """A create form that was saved, keyed by the one-time token the form carried.

    A second submit of the same form (a double click, a reload, a retry on a slow line) finds
    its token here and leads to what the first one created instead of creating it again.
    """

    token = models.UUIDField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    result_url = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("submitted form")
        verbose_name_plural = _("submitted forms")

    def __str__(self) -> str:
        return str(self.token)


class FileJob(models.Model):
    """A file too big to make in a request, written by a worker and offered for download: a
    list's CSV export, a batch of printed documents. What the file is and how it is written is
    its `kind` (oms.filejobs.FileJobKind, registered by the app that makes it).

    The job came from the list page at `path` with `query_string` (its filters and sorting), as
    `user` saw it, in `language`; `parameters` hold what else the kind needs (the documents
    chosen, say). The file is written under a temporary name and gets its final name only when
    all of it is in: `file_name` is set only on a job that is done, and only such a job is
    downloadable. `items_done` of `items_total` (rows, documents) is its progress.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40, default="export")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    list_name = models.CharField(_("list"), max_length=100)
    path = models.CharField(_("address"), max_length=200)
    query_string = models.TextField(_("filters"), blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=FileJobStatus.choices, default=FileJobStatus.QUEUED
    )
    items_total = models.BigIntegerField(_("items to write"), null=True, blank=True)
    items_done = models.BigIntegerField(_("items written"), default=0)
    file_name = models.CharField(_("file"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("file job")
        verbose_name_plural = _("file jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status"], name="export_user_status")]
        constraints = [
            # A file only on a finished job: a cut or failed file is never offered.
            models.CheckConstraint(
                condition=models.Q(file_name="") | models.Q(status="done"),
                name="export_file_only_when_done",
            ),
            models.CheckConstraint(
                condition=models.Q(items_done__gte=0), name="export_rows_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.list_name} ({self.status})"


class ImportJob(models.Model):
    """A file a user uploaded to import (customers, products, stock levels, orders: `kind`,
    an importer registered with oms.imports), checked only (`dry_run`: nothing is written, the
    report says what an import would do) or imported, by a worker. `rows_done` of
    `rows_total` is its progress; the counts and `ImportRowResult` rows are its report. A
    file that cannot be read at all fails the job with the reason in `error`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=200)
    stored_name = models.CharField(max_length=100, editable=False)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    dry_run = models.BooleanField(_("check only"), default=True)
    checked = models.ForeignKey(
        "self",
        verbose_name=_("check"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
        help_text=_("The check this import followed."),
    )
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=FileJobStatus.choices, default=FileJobStatus.QUEUED
    )
    rows_total = models.IntegerField(_("rows"), null=True, blank=True)
    rows_done = models.IntegerField(_("rows done"), default=0)
    created = models.IntegerField(_("created"), default=0)
    updated = models.IntegerField(_("updated"), default=0)
    skipped = models.IntegerField(_("skipped"), default=0)
    errors = models.IntegerField(_("errors"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status"], name="import_user_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_done__gte=0), name="import_rows_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"


class ImportRowResult(models.Model):
    """What an import did with one row of its file: every row with an error or skipped, and
    the first rows created or updated (OMS_IMPORT_REPORT_ROWS)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="results")
    row = models.IntegerField(_("row"))
    action = models.CharField(_("result"), max_length=10, choices=ImportAction.choices)
    column = models.CharField(_("column"), max_length=60, blank=True)
    message = models.TextField(_("message"), blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    values = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["job", "row", "id"]
        indexes = [models.Index(fields=["job", "action"], name="import_result_action")]

    def __str__(self) -> str:
        return f"{self.row}: {self.action}"


class CalendarDay(models.Model):
    """A change to the working-day calendar the code ships (`oms.workdays`: Monday to Friday,
    less China's public holidays, plus the make-up working days of the State Council's notices,
    from the `holidays` package). A row makes its date a working day or a day off, whatever
    the shipped calendar says; removing the row gives the date back to the shipped calendar.

    Only `oms.services.calendar_day_set` writes it, with an audit row.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return self.date.isoformat()


class MessageTemplate(models.Model):
    """What customers read for one event in one language: an e-mail (subject and text) and a
    short SMS text, rendered with Django's template language over the event's variables.

    The rows are made from the apps' registrations after every `migrate`
    (`oms.messaging.sync_message_templates`); staff edit them on the message templates page,
    after which a new default in the code no longer replaces the edited text.
    """

    event_code = models.CharField(_("event"), max_length=64)
    language = models.CharField(_("language"), max_length=10, choices=MessageLanguage.choices)
    subject = models.CharField(_("e-mail subject"), max_length=250)
    body = models.TextField(_("e-mail text"))
    sms_body = models.TextField(_("SMS text"), blank=True)
    is_customised = models.BooleanField(_("edited"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["event_code", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_code", "language"], name="message_template_event_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_code} ({self.language})"


class ReferenceVersion(models.Model):
    """A random stamp per table of reference data (price lists, tax rates, rules), renewed by
    a database trigger in the transaction of every statement that writes the table. Processes
    compare it with the stamp of what they cached (oms.reference_cache); nobody writes it
    from Python."""

    name = models.CharField(_("table"), max_length=63, primary_key=True)
    version = models.UUIDField(_("version"))

    class Meta:
        verbose_name = _("reference data version")
        verbose_name_plural = _("reference data versions")

    def __str__(self) -> str:
        return self.name
