"""After-sales models, one module per part of the app (returns, complaints, feedback)."""

from aftersales.models.feedback import OrderFeedback

__all__ = ["OrderFeedback"]
