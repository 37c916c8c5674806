"""Statuses, reasons and other codes of returns (RMA), with the one table of allowed moves."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("return status", "Requested")
    APPROVED = "approved", pgettext_lazy("return status", "Approved")
    REJECTED = "rejected", pgettext_lazy("return status", "Rejected")
    RECEIVED = "received", pgettext_lazy("return status", "Received")
    INSPECTED = "inspected", pgettext_lazy("return status", "Inspected")
    RESOLVED = "resolved", pgettext_lazy("return status", "Resolved")
    CANCELLED = "cancelled", pgettext_lazy("return status", "Cancelled")


R = ReturnStatus

# The one table of status moves; return_services.return_transition() applies it. Inspected
# waits for the resolutions (refund, exchange, repair), which move it to resolved.
RETURN_TRANSITIONS: dict[str, frozenset[str]] = {
    R.REQUESTED: frozenset({R.APPROVED, R.REJECTED, R.CANCELLED}),
    R.APPROVED: frozenset({R.RECEIVED, R.CANCELLED}),
    R.RECEIVED: frozenset({R.INSPECTED}),
    R.INSPECTED: frozenset({R.RESOLVED}),
    R.REJECTED: frozenset(),
    R.RESOLVED: frozenset(),
    R.CANCELLED: frozenset(),
}

# Returns in these states hold nothing: their quantities may be asked for again.
RELEASED_STATUSES = frozenset({R.REJECTED, R.CANCELLED})


class ReturnReason(models.TextChoices):
    DAMAGED = "damaged", _("Damaged in transit")
    DEFECTIVE = "defective", _("Defective")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    CHANGED_MIND = "changed_mind", _("Changed mind")
    OTHER = "other", _("Other")


# Reasons that are the seller's fault: allowed for OMS_RETURN_DEFECT_DAYS, and the only ones
# for made-to-order goods.
FAULT_REASONS = frozenset({ReturnReason.DAMAGED, ReturnReason.DEFECTIVE, ReturnReason.WRONG_ITEM})
# Reasons that count as a defect for the longer window (not as described is the seller's
# word against the goods: it gets the defect window too).
DEFECT_WINDOW_REASONS = FAULT_REASONS | {ReturnReason.NOT_AS_DESCRIBED}


class WantedResolution(models.TextChoices):
    REFUND = "refund", _("Refund")
    EXCHANGE = "exchange", _("Exchange")
    REPAIR = "repair", _("Repair")


class ReturnSource(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    STAFF = "staff", _("Staff")


class Disposition(models.TextChoices):
    RESTOCK = "restock", _("Restock")
    QUARANTINE = "quarantine", _("Quarantine")
    SCRAP = "scrap", _("Scrap")


class ReturnEventKind(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("return event", "Requested")
    OVERRIDDEN = "overridden", pgettext_lazy("return event", "Rules overridden")
    APPROVED = "approved", pgettext_lazy("return event", "Approved")
    REJECTED = "rejected", pgettext_lazy("return event", "Rejected")
    SHIPPED = "shipped", pgettext_lazy("return event", "Sent back")
    RECEIVED = "received", pgettext_lazy("return event", "Received")
    INSPECTED = "inspected", pgettext_lazy("return event", "Line inspected")
    RESOLVED = "resolved", pgettext_lazy("return event", "Resolved")
    CANCELLED = "cancelled", pgettext_lazy("return event", "Cancelled")


# One colour per status (the shared tones in static/oms/oms.css).
RETURN_STATUS_TONES = {
    R.REQUESTED: "amber",
    R.APPROVED: "blue",
    R.REJECTED: "red",
    R.RECEIVED: "teal",
    R.INSPECTED: "indigo",
    R.RESOLVED: "green",
    R.CANCELLED: "grey",
}
