"""After-sales models, one module per part of the app (returns, complaints, feedback)."""

from aftersales.models.cases import (
    ACTIVE_STATUSES,
    CASE_NUMBER_SEQUENCE,
    CASE_TRANSITIONS,
    Case,
    CaseAttachment,
    CaseCategory,
    CaseEscalation,
    CaseEvent,
    CaseEventKind,
    CasePriority,
    CaseStatus,
    EscalationLevel,
)
from aftersales.models.feedback import OrderFeedback
from aftersales.models.resolutions import ReturnResolution
from aftersales.models.returns import ReturnEvent, ReturnLine, ReturnPhoto, ReturnRequest

__all__ = [
    "ACTIVE_STATUSES",
    "CASE_NUMBER_SEQUENCE",
    "CASE_TRANSITIONS",
    "Case",
    "CaseAttachment",
    "CaseCategory",
    "CaseEscalation",
    "CaseEvent",
    "CaseEventKind",
    "CasePriority",
    "CaseStatus",
    "EscalationLevel",
    "OrderFeedback",
    "ReturnEvent",
    "ReturnLine",
    "ReturnPhoto",
    "ReturnRequest",
    "ReturnResolution",
]
