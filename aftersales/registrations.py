"""What after-sales adds to the kernel. Each part of the app (returns, complaints, the
customer's feedback) keeps its own registrations module, imported here."""

from aftersales import (
    case_registrations,  # noqa: F401
    feedback_registrations,  # noqa: F401
)
from oms.registry import register_urls

register_urls("", "aftersales.urls")

from aftersales import resolution_registrations, return_registrations  # noqa: E402, F401
