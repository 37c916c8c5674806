from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")  # no address, no template, opted out: see last_error


class FileJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportAction(models.TextChoices):
    """What an import did (or, checked only, would do) with a row of the file."""

    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    SKIP = "skip", _("Skip (duplicate)")
    ERROR = "error", _("Error")


class MessageChannel(models.TextChoices):
    """How a customer hears from us; an outbox row's `channel` is one of these."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class MessageLanguage(models.TextChoices):
    """The languages customer messages are written in (the interface's languages). Each is named
    in its own language, as the header's language switch names them."""

    EN = "en", "English"
    ZH_HANS = "zh-hans", "简体中文"
