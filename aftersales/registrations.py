"""What after-sales adds to the kernel. Each part of the app (returns, complaints, the
customer's feedback) keeps its own registrations module, imported here."""

from django.utils.translation import gettext_lazy as _

from oms.registry import register_nav_section, register_urls

# The sidebar section every part puts its pages in.
register_nav_section("aftersales", _("After-sales"), order=45)
register_urls("", "aftersales.urls")

from aftersales import (  # noqa: E402, F401
    case_registrations,
    feedback_registrations,
    resolution_registrations,
    return_registrations,
)
