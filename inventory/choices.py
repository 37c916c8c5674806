from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    PIECE = "pcs", _("piece")
    SET = "set", _("set")
    BOX = "box", _("box")
    PAIR = "pair", _("pair")
    METRE = "m", _("metre")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ADJUSTMENT = "adjustment", _("Adjustment")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ISSUE = "issue", _("Issue")
    RETURN = "return", _("Return")


class AdjustmentReason(models.TextChoices):
    COUNT = "count", _("Stocktake correction")
    DAMAGED = "damaged", _("Damaged")
    LOST = "lost", _("Lost or stolen")
    FOUND = "found", _("Found")
    EXPIRED = "expired", _("Expired or obsolete")
    OTHER = "other", _("Other")
    # Written by after-sales only: a customer's returned goods leave stock for their repair.
    REPAIR = "repair", _("Taken for repair")
    # Written by work orders only, on the issue of their components.
    PRODUCTION = "production", _("Consumed in production")


# What staff choose from on the adjustment form.
MANUAL_ADJUSTMENT_REASONS = [
    c
    for c in AdjustmentReason.choices
    if c[0] not in (AdjustmentReason.REPAIR, AdjustmentReason.PRODUCTION)
]


class WorkOrderStage(models.TextChoices):
    MATERIALS = "materials", _("Materials")
    PRODUCTION = "production", _("Production")
    QUALITY_CHECK = "quality_check", _("Quality check")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


WORK_ORDER_NEXT_STAGE = {
    WorkOrderStage.MATERIALS: WorkOrderStage.PRODUCTION,
    WorkOrderStage.PRODUCTION: WorkOrderStage.QUALITY_CHECK,
    WorkOrderStage.QUALITY_CHECK: WorkOrderStage.DONE,
}


class StockCountStatus(models.TextChoices):
    OPEN = "open", _("Open")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


STOCK_COUNT_STATUS_TONES = {"open": "blue", "posted": "green", "cancelled": "red"}

WORK_ORDER_STAGE_TONES = {
    "materials": "grey",
    "production": "blue",
    "quality_check": "amber",
    "done": "green",
    "cancelled": "red",
}
