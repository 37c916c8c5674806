from django.conf import settings

from oms.registry import navigation_for


def oms(request):
    return {
        "OMS_COMPANY_NAME": settings.OMS_COMPANY_NAME,
        "OMS_CURRENCY": settings.OMS_CURRENCY,
        "nav_sections": navigation_for(request.user) if hasattr(request, "user") else [],
    }
