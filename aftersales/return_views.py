"""Back-office pages of returns: the list, a return's page with its steps, the request form,
photos (served only through the rights check), and the return label."""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from aftersales import return_inspection
from aftersales import return_services as services
from aftersales.case_selectors import cases_visible_to
from aftersales.models import ReturnLine
from aftersales.return_choices import RETURN_TRANSITIONS, ReturnStatus
from aftersales.return_documents import return_label_context
from aftersales.return_filters import ReturnFilterSet
from aftersales.return_forms import (
    ApproveForm,
    CancelForm,
    InspectForm,
    OrderLookupForm,
    ReceiveForm,
    RejectForm,
    ReturnRequestForm,
    ShipmentForm,
)
from aftersales.return_selectors import (
    return_detail,
    return_list,
    returnable_lines,
)
from aftersales.return_tables import ReturnTable
from aftersales.storage import private_storage
from oms.errors import ServiceError
from oms.generic import (
    DocumentView,
    ObjectActionView,
    ObjectDetailView,
    ObjectListView,
    RequirePermissionMixin,
    apply_validation_error,
)
from orders.selectors import order_for_user

VIEW = "aftersales.view_returnrequest"


class ReturnListView(ObjectListView):
    permission_required = VIEW
    filterset_class = ReturnFilterSet
    table_class = ReturnTable
    title = gettext_lazy("Returns")
    export_name = "returns"
    actions = [
        (gettext_lazy("New return"), "aftersales:return_create", services.PERMISSION_ADD, "plus-lg")
    ]

    def get_queryset(self):
        return return_list(self.request.user)


class ReturnDetailView(ObjectDetailView):
    permission_required = VIEW
    template_name = "aftersales/returns/detail.html"
    lookup_kwarg = "reference"

    def get_object(self):
        return return_detail(self.kwargs["reference"], self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rma = self.object
        user = self.request.user
        moves = RETURN_TRANSITIONS[rma.status]
        status = ReturnStatus
        context.update(
            {
                "lines": list(rma.lines.all()),
                "can_approve": status.APPROVED in moves
                and user.has_perm(services.PERMISSION_APPROVE),
                "can_cancel": status.CANCELLED in moves
                and user.has_perm(services.PERMISSION_CHANGE),
                "can_ship": rma.status == status.APPROVED
                and user.has_perm(services.PERMISSION_CHANGE),
                "can_receive": status.RECEIVED in moves
                and user.has_perm(services.PERMISSION_RECEIVE),
                "can_inspect": rma.status == status.RECEIVED
                and user.has_perm(services.PERMISSION_INSPECT),
                "has_label": rma.number is not None
                and rma.status in (status.APPROVED, status.RECEIVED),
                # Instructions stay empty: the standard text is made with the RMA number.
                "approve_form": ApproveForm(initial={"warehouse": rma.warehouse_id}),
                "reject_form": RejectForm(),
                "cancel_form": CancelForm(),
                "shipment_form": ShipmentForm(
                    initial={
                        "carrier": rma.return_carrier_id,
                        "tracking_number": rma.return_tracking_number,
                    }
                ),
                "receive_form": ReceiveForm(initial={"warehouse": rma.warehouse_id}),
                "inspect_form": InspectForm(),
                "case": self.linked_case(rma),
            }
        )
        return context

    def linked_case(self, rma):
        """The case the return came from, for users who may see it (else nothing is said)."""
        user = self.request.user
        if rma.case_id is None or not user.has_perm(services.PERMISSION_VIEW_CASE):
            return None
        return cases_visible_to(user).filter(pk=rma.case_id).first()


class ReturnCreateView(RequirePermissionMixin, View):
    """/returns/new/?order=SO-…: the order's delivered lines with what may still come back;
    with &case=CASE-…, from a case's page: the return is linked to that case."""

    permission_required = services.PERMISSION_ADD
    template_name = "aftersales/returns/create.html"

    def _order(self, request: HttpRequest):
        number = (request.POST.get("order") or request.GET.get("order") or "").strip()
        if not number or len(number) > 20:
            return None
        return order_for_user(number, request.user)

    def _case(self, request: HttpRequest, order) -> tuple[Any, str, int]:
        """The case named by ?case= (None when none is named), or why it cannot be linked
        and the status that says so. A case the user may not see is as unknown as a typo."""
        number = (request.POST.get("case") or request.GET.get("case") or "").strip()
        if not number or order is None:
            return None, "", 200
        case = None
        if len(number) <= 20 and request.user.has_perm(services.PERMISSION_VIEW_CASE):
            case = (
                cases_visible_to(request.user)
                .filter(number=number.upper())
                .select_related("customer")
                .first()
            )
        if case is None:
            return None, _("No case with this number that you may see."), 404
        refusal = services.case_link_refusal(case, order)
        if refusal:
            return None, refusal, 422
        return case, "", 200

    def _form(self, request: HttpRequest, order, data=None, files=None) -> ReturnRequestForm:
        return ReturnRequestForm(
            data,
            files,
            lines=returnable_lines(order),
            may_override=request.user.has_perm(services.PERMISSION_OVERRIDE),
        )

    def _page(self, request: HttpRequest, order, form=None, status: int = 200) -> HttpResponse:
        context: dict[str, Any] = {"title": _("New return"), "order": order}
        case, case_error, case_status = self._case(request, order)
        if case_error:
            # No form: a return sent now would silently lose the case it was meant for.
            context["case_error"] = case_error
            return render(request, self.template_name, context, status=case_status)
        context["case"] = case
        if order is None:
            context["lookup_form"] = OrderLookupForm(
                request.GET if "order" in request.GET else None
            )
            if "order" in request.GET:
                context["lookup_form"].is_valid()
                context["not_found"] = True
                status = 404 if status == 200 else status
        else:
            context["form"] = form or self._form(request, order)
            context["form_token"] = request.POST.get("form_token") or uuid.uuid4().hex
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._page(request, self._order(request))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        order = self._order(request)
        if order is None:
            return self._page(request, None, status=404)
        case, case_error, _status = self._case(request, order)
        if case_error:
            return self._page(request, order, status=422)
        form = self._form(request, order, request.POST, request.FILES)
        token = request.POST.get("form_token", "")
        if form.is_valid():
            try:
                rma = services.return_request_create(
                    actor=request.user,
                    order=order,
                    lines=form.chosen_lines(),
                    reason=form.cleaned_data["reason"],
                    reason_text=form.cleaned_data["reason_text"],
                    resolution=form.cleaned_data["resolution"],
                    photos=form.cleaned_data["photos"],
                    override_note=form.cleaned_data.get("override_note", ""),
                    submission_key=f"staff:{token}" if _is_token(token) else None,
                    case=case,
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except (ServiceError, PermissionDenied) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Return %(rma)s requested.") % {"rma": rma})
                return HttpResponseRedirect(rma.get_absolute_url())
        return self._page(request, order, form, status=422)


def _is_token(value: str) -> bool:
    try:
        return uuid.UUID(value).hex == value
    except ValueError:
        return False


class ReturnStepView(ObjectActionView):
    """A step on the return's page: the posted form, then one service; a refusal or bad input
    comes back as a message and nothing is written."""

    form_class: Any = None

    def get_object(self):
        rma = return_detail(self.kwargs["reference"], self.request.user)
        if rma is None:
            raise Http404
        return rma

    def perform(self, request, **kwargs) -> str:
        rma = self.get_object()
        form = self.form_class(request.POST)
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[name].label}: {error}" if name in form.fields else error
                    for name, errors in form.errors.items()
                    for error in errors
                ]
            )
        return self.act(rma, form.cleaned_data)

    def act(self, rma, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def get_redirect_url(self, request, **kwargs) -> str:
        return reverse("aftersales:return_detail", args=[kwargs["reference"]])


class ApproveView(ReturnStepView):
    permission_required = services.PERMISSION_APPROVE
    form_class = ApproveForm

    def act(self, rma, data):
        rma = services.return_approve(
            actor=self.request.user,
            request=rma,
            instructions=data["instructions"],
            warehouse=data["warehouse"],
        )
        self.kwargs["reference"] = rma.number
        return _("Return approved: %(rma)s.") % {"rma": rma.number}

    def get_redirect_url(self, request, **kwargs) -> str:
        return reverse("aftersales:return_detail", args=[self.kwargs["reference"]])


class RejectView(ReturnStepView):
    permission_required = services.PERMISSION_APPROVE
    form_class = RejectForm

    def act(self, rma, data):
        services.return_reject(actor=self.request.user, request=rma, reason=data["reason"])
        return _("Return rejected.")


class CancelView(ReturnStepView):
    permission_required = services.PERMISSION_CHANGE
    form_class = CancelForm

    def act(self, rma, data):
        services.return_cancel(actor=self.request.user, request=rma, note=data["note"])
        return _("Return cancelled.")


class ShipmentView(ReturnStepView):
    permission_required = services.PERMISSION_CHANGE
    form_class = ShipmentForm

    def act(self, rma, data):
        services.return_record_shipment(
            actor=self.request.user,
            request=rma,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        )
        return _("Return parcel recorded.")


class ReceiveView(ReturnStepView):
    permission_required = services.PERMISSION_RECEIVE
    form_class = ReceiveForm

    def act(self, rma, data):
        services.return_receive(
            actor=self.request.user, request=rma, warehouse=data["warehouse"], note=data["note"]
        )
        return _("Goods received at %(warehouse)s.") % {"warehouse": data["warehouse"].code}


class InspectView(ReturnStepView):
    permission_required = services.PERMISSION_INSPECT
    form_class = InspectForm

    def get_object(self):
        # A line of another return (or none) is not found, whatever the form says.
        rma = super().get_object()
        self.line = ReturnLine.objects.filter(request=rma, pk=self.kwargs["line"]).first()
        if self.line is None:
            raise Http404
        return rma

    def act(self, rma, data):
        line, wrote = return_inspection.return_inspect_line(
            actor=self.request.user,
            line=self.line,
            disposition=data["disposition"],
            note=data["note"],
            quarantine_warehouse=data["quarantine_warehouse"],
        )
        if not wrote:
            return _("This line was inspected already; nothing changed.")
        return _("%(sku)s: %(disposition)s.") % {
            "sku": line.order_line.product.sku,
            "disposition": line.get_disposition_display(),
        }


class ReturnPhotoView(RequirePermissionMixin, View):
    """A photo of a return, to staff who may see the return (the file has no public URL)."""

    permission_required = VIEW

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rma = return_detail(kwargs["reference"], request.user)
        photo = rma.photos.filter(pk=kwargs["photo"]).first() if rma is not None else None
        if photo is None:
            raise Http404
        try:
            handle = private_storage.open(photo.file.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=photo.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Content-Disposition"] = "inline"
        return response


class ReturnLabelView(DocumentView):
    """The return label: the RMA number as a barcode, our warehouse as the recipient, the
    customer as the sender; the print view and, with ?format=pdf, the same as a PDF."""

    permission_required = VIEW
    template_name = "aftersales/returns/label.html"
    lookup_kwarg = "reference"

    def get_object(self):
        rma = return_detail(self.kwargs["reference"], self.request.user)
        if rma is None or rma.number is None:
            return None
        return rma

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(return_label_context(self.object, self.request))
        return context
