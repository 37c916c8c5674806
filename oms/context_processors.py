from django.conf import settings

from oms.registry import navigation_for


def oms(request):
    return {
        "OMS_COMPANY_NAME": settings.OMS_COMPANY_NAME,
        "OMS_CURRENCY": settings.OMS_CURRENCY,
        "nav_sections": request_navigation(request),
    }


def request_navigation(request) -> list[dict]:
    """The sidebar, worked out once per request: context processors run again for each
    template rendered with the request (django-tables2 renders the table that way)."""
    if not hasattr(request, "user"):
        return []
    if not hasattr(request, "_oms_navigation"):
        request._oms_navigation = navigation_for(request.user)
    return request._oms_navigation
