"""After-sales models, one module per part of the app (returns, complaints, feedback)."""

from aftersales.models.resolutions import ReturnResolution
from aftersales.models.returns import ReturnEvent, ReturnLine, ReturnPhoto, ReturnRequest

__all__ = ["ReturnEvent", "ReturnLine", "ReturnPhoto", "ReturnRequest", "ReturnResolution"]
