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
    "ReturnEvent",
    "ReturnLine",
    "ReturnPhoto",
    "ReturnRequest",
    "ReturnResolution",
]
