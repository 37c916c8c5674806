"""The resolution form's action (POST only) and the card on the return page."""

import uuid
from typing import Any

from django.http import Http404
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from aftersales.models import ReturnRequest, ReturnResolution
from aftersales.resolutions import return_resolve, shipping_refund_default
from aftersales.return_choices import ReturnStatus, WantedResolution
from aftersales.return_selectors import return_detail
from oms.errors import ServiceError
from oms.generic import ObjectActionView
from oms.tables import format_money

SHIPPING_CHOICES = {"": None, "yes": True, "no": False}


def return_by_reference(reference: str, user) -> ReturnRequest:
    """The return as its page finds it for this user (sales see only their customers');
    404 for anything else."""
    found = return_detail(reference, user)
    if found is None:
        raise Http404(_("No such return."))
    return found


class ReturnResolveView(ObjectActionView):
    permission_required = "aftersales.resolve_return"

    def perform(self, request, **kwargs) -> str:
        return_request = return_by_reference(kwargs["reference"], request.user)
        resolution = request.POST.get("resolution", "")
        if resolution not in WantedResolution.values:
            raise ServiceError(_("Choose refund, exchange or repair."))
        shipping = request.POST.get("refund_shipping", "")
        if shipping not in SHIPPING_CHOICES:
            raise ServiceError(_("Choose whether the shipping fee is refunded."))
        record = return_resolve(
            actor=request.user,
            return_request=return_request,
            resolution=resolution,
            refund_shipping=SHIPPING_CHOICES[shipping],
            note=request.POST.get("note", "")[:1000],
            submission_key=request.POST.get("form_token", "")[:64],
        )
        if record.kind == WantedResolution.REFUND:
            return _(
                "Return %(number)s resolved: %(credited)s credited, %(refunded)s refunded."
            ) % {
                "number": return_request,
                "credited": format_money(record.amount_credited),
                "refunded": format_money(record.amount_refunded),
            }
        return _("Return %(number)s resolved: order %(order)s sends the goods at no charge.") % {
            "number": return_request,
            "order": record.replacement_order,
        }

    def get_redirect_url(self, request, **kwargs) -> str:
        try:
            return return_by_reference(kwargs["reference"], request.user).get_absolute_url()
        except (Http404, NoReverseMatch):
            return super().get_redirect_url(request, **kwargs)


def resolution_card(request, return_request: ReturnRequest) -> dict[str, Any] | None:
    """The context of the resolution card on the return page: the resolution once made, or
    the form while the return waits for it (for those who may resolve)."""
    record = (
        ReturnResolution.objects.filter(request=return_request)
        .select_related("replacement_order", "created_by")
        .prefetch_related("credit_notes", "refunds")
        .first()
    )
    may_resolve = request.user.has_perm("aftersales.resolve_return")
    if record is None and not (may_resolve and return_request.status == ReturnStatus.INSPECTED):
        return None
    return {
        "return_request": return_request,
        "resolution": record,
        "may_resolve": may_resolve and record is None,
        "resolution_choices": WantedResolution.choices,
        "shipping_default": shipping_refund_default(return_request.reason),
        "form_token": uuid.uuid4(),
    }
