"""Complaint pages: the queue (/cases/), a case, a new case, the actions on a case, its files,
and the lot trace with its recall list (/trace/?lot=…)."""

from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from aftersales import case_services as services
from aftersales import return_services
from aftersales.case_forms import (
    CaseAssignForm,
    CaseAttachmentForm,
    CaseForm,
    CaseNoteForm,
    CaseStatusForm,
    RecallForm,
)
from aftersales.case_selectors import (
    case_figures,
    case_for_page,
    case_queue,
    case_timeline,
    cases_of,
    cases_visible_to,
    due_state,
    lot_trace,
)
from aftersales.case_tables import (
    CaseFilterSet,
    CaseTable,
    LotTraceFilterSet,
    LotTraceTable,
    priority_badge,
    status_badge,
)
from aftersales.models import (
    CASE_TRANSITIONS,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    EscalationLevel,
    ReturnRequest,
)
from aftersales.return_selectors import returnable_lines, returns_of_case
from customers.models import Customer
from customers.selectors import customers_visible_to
from oms.errors import ServiceError
from oms.generic import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RequirePermissionMixin,
    get_object_or_404,
)
from oms.tables import compact_table
from orders.models import Order
from orders.selectors import orders_visible_to

VIEW = "aftersales.view_case"
ADD = "aftersales.add_case"
WORK = "aftersales.change_case"
FILES = "aftersales.view_caseattachment"


class CaseListView(ObjectListView):
    permission_required = VIEW
    filterset_class = CaseFilterSet
    table_class = CaseTable
    title = gettext_lazy("Cases")
    export_name = "cases"
    actions = [(gettext_lazy("New case"), "aftersales:case_create", ADD, "plus-square")]

    def get_queryset(self):
        return case_queue(self.request.user)

    def get_summary(self, queryset) -> str:
        figures = case_figures(self.request.user)
        return _("%(open)s open · %(overdue)s past SLA") % {
            "open": figures.open,
            "overdue": figures.overdue,
        }


class CaseCreateView(ObjectEditView):
    permission_required = ADD
    form_class = CaseForm
    title = gettext_lazy("New case")
    submit_label = gettext_lazy("Open case")
    list_url_name = "aftersales:case_list"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"user": self.request.user}
        if self.request.method == "GET":
            kwargs["initial"] = self.initial_from_query()
        return kwargs

    def initial_from_query(self) -> dict[str, str]:
        """From an order's or a customer's page: ?order=SO-… or ?customer=CODE (only what the
        user may see; anything else is ignored)."""
        user = self.request.user
        initial: dict[str, str] = {}
        number = self.request.GET.get("order", "")[:20]
        if number:
            order = orders_visible_to(user).filter(number=number).select_related("customer").first()
            if order is not None:
                initial.update(order=order.number, customer=order.customer.code)
        code = self.request.GET.get("customer", "")[:40]
        if code and "customer" not in initial:
            customer = customers_visible_to(user).filter(code=code).first()
            if customer is not None:
                initial["customer"] = customer.code
        lot = self.request.GET.get("lot", "")[:60].strip()
        if lot:
            initial["lot"] = lot
        return initial

    def save(self, form):
        data = form.cleaned_data
        request = services.CaseRequest(
            customer=data["customer"],
            category=data["category"],
            priority=data["priority"],
            subject=data["subject"],
            description=data["description"],
            order=data["order"],
            shipment=data["shipment"],
            product=data["product"],
            lot=data["lot"],
            assignee=data.get("assignee"),
        )
        return services.case_open(actor=self.request.user, request=request)

    def success_message(self, obj) -> str:
        return _("Case %(number)s is open.") % {"number": obj.number}


def event_headline(event: CaseEvent, returns: dict[str, ReturnRequest] | None = None) -> str:
    """What a timeline entry says happened, in the reader's language. `returns`: the case's
    returns by id, so a return's entry names it as it is called now (its RMA number once
    approved)."""
    kind = event.kind
    if kind == CaseEventKind.RETURN:
        rma = (returns or {}).get(event.to_value)
        return _("Return %(rma)s created") % {"rma": rma if rma is not None else "—"}
    if kind == CaseEventKind.STATUS:
        return _("Status: %(from)s → %(to)s") % {
            "from": CaseStatus(event.from_value).label,
            "to": CaseStatus(event.to_value).label,
        }
    if kind == CaseEventKind.ASSIGN:
        if not event.to_value:
            return _("Nobody is assigned any more")
        return _("Assigned to %(user)s") % {"user": event.to_value}
    if kind == CaseEventKind.ESCALATION:
        target = _("first response") if event.from_value == "response" else _("resolution")
        if event.to_value == str(int(EscalationLevel.BREACH)):
            return _("SLA missed (%(target)s): assignee and managers told") % {"target": target}
        return _("SLA nearly used (%(target)s): assignee and managers warned") % {"target": target}
    if kind == CaseEventKind.ATTACHMENT:
        return _("File attached")
    return str(CaseEventKind(kind).label)


def _hours(seconds: int | None) -> str | None:
    return None if seconds is None else f"{seconds / 3600:.1f}"


class CaseDetailView(ObjectDetailView):
    permission_required = VIEW
    lookup_kwarg = "number"
    template_name = "aftersales/case_detail.html"

    def get_object(self):
        return case_for_page(self.request.user, self.kwargs["number"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case: Case = self.object
        user = self.request.user
        can_work = user.has_perm(WORK) and case.status != CaseStatus.CLOSED
        timeline = case_timeline(case)
        can_see_returns = user.has_perm(return_services.PERMISSION_VIEW)
        returns = list(returns_of_case(user, case)) if can_see_returns else []
        by_id = {str(rma.pk): rma for rma in returns}
        for event in timeline:
            event.headline = event_headline(event, by_id)  # type: ignore[attr-defined]
            rma = by_id.get(event.to_value) if event.kind == CaseEventKind.RETURN else None
            event.link = rma.get_absolute_url() if rma is not None else ""  # type: ignore[attr-defined]
        context.update(
            title=case.number,
            timeline=timeline,
            response_hours=_hours(case.response_seconds),
            resolution_hours=_hours(case.resolution_seconds),
            attachments=list(case.attachments.select_related("uploaded_by")),
            status_badge=status_badge(case.status),
            priority_badge=priority_badge(case.priority),
            due_state=due_state(case),
            can_work=can_work,
            can_files=user.has_perm(FILES),
            next_statuses=[(s, CaseStatus(s).label) for s in CASE_TRANSITIONS[case.status]],
            note_form=CaseNoteForm(),
            status_form=CaseStatusForm(),
            assign_form=CaseAssignForm(initial={"assignee": case.assignee_id}),
            attachment_form=CaseAttachmentForm(),
            now=timezone.now(),
            can_see_returns=can_see_returns,
            case_returns=returns,
            new_return_url=self.new_return_url(case),
        )
        return context

    def new_return_url(self, case: Case) -> str:
        """The staff return form for the case's order, when the case is open to work on, the
        user may request returns and something of the order may still come back."""
        user = self.request.user
        if (
            case.order is None
            or case.status == CaseStatus.CLOSED
            or not user.has_perm(return_services.PERMISSION_ADD)
            or not any(entry.returnable for entry in returnable_lines(case.order))
        ):
            return ""
        query = urlencode({"order": case.order.number, "case": case.number})
        return reverse("aftersales:return_create") + "?" + query


class CaseActionView(ObjectActionView):
    """An action on one case (its page posts it); a case the user may not see is a 404."""

    permission_required = WORK

    def case(self, request, number: str) -> Case:
        return get_object_or_404(lambda key: case_for_page(request.user, key), number)

    def get_redirect_url(self, request, **kwargs):
        return reverse("aftersales:case_detail", args=[kwargs["number"]])


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


class CaseNoteView(CaseActionView):
    def perform(self, request, **kwargs):
        case = self.case(request, kwargs["number"])
        form = CaseNoteForm(request.POST)
        if not form.is_valid():
            raise ServiceError(_form_errors(form))
        services.case_add_note(
            actor=request.user,
            case=case,
            body=form.cleaned_data["body"],
            kind=form.cleaned_data["kind"],
        )
        return _("Note added to %(case)s.") % {"case": case.number}


class CaseStatusView(CaseActionView):
    def perform(self, request, **kwargs):
        case = self.case(request, kwargs["number"])
        form = CaseStatusForm(request.POST)
        if not form.is_valid():
            raise ServiceError(_form_errors(form))
        case = services.case_set_status(
            actor=request.user,
            case=case,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
        return _("%(case)s is now %(status)s.") % {
            "case": case.number,
            "status": case.get_status_display(),
        }


class CaseAssignView(CaseActionView):
    def perform(self, request, **kwargs):
        case = self.case(request, kwargs["number"])
        form = CaseAssignForm(request.POST)
        if not form.is_valid():
            raise ServiceError(_form_errors(form))
        assignee = form.cleaned_data["assignee"]
        services.case_assign(actor=request.user, case=case, assignee=assignee)
        if assignee is None:
            return _("Nobody is assigned to %(case)s now.") % {"case": case.number}
        return _("%(case)s is assigned to %(user)s.") % {
            "case": case.number,
            "user": assignee.get_full_name() or assignee.get_username(),
        }


class CaseAttachView(CaseActionView):
    def perform(self, request, **kwargs):
        case = self.case(request, kwargs["number"])
        form = CaseAttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            raise ServiceError(_form_errors(form))
        attachment = services.case_attach(
            actor=request.user, case=case, upload=form.cleaned_data["file"]
        )
        return _("%(file)s is attached to %(case)s.") % {
            "file": attachment.name,
            "case": case.number,
        }


class CaseAttachmentView(RequirePermissionMixin, View):
    """A case's file, to staff whose role may open case files and who may see the case;
    always as a download, with the type the upload was checked to be."""

    permission_required = FILES

    def get(self, request, number: str, pk: int):
        attachment = (
            CaseAttachment.objects.filter(
                pk=pk, case__in=cases_visible_to(request.user), case__number=number
            )
            .select_related("case")
            .first()
        )
        if attachment is None:
            raise Http404
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )


class LotTraceView(ObjectListView):
    """Where a lot went: every shipment line that carries it, to whom and when; its CSV is the
    recall list."""

    permission_required = VIEW
    filterset_class = LotTraceFilterSet
    table_class = LotTraceTable
    template_name = "aftersales/lot_trace.html"
    title = gettext_lazy("Lot trace")
    export_name = "recall-list"

    def lot(self) -> str:
        return self.request.GET.get("lot", "").strip()[:60]

    def get_queryset(self):
        lot = self.lot()
        if not lot:
            return lot_trace(self.request.user, "").none()
        return lot_trace(self.request.user, lot)

    def get_summary(self, queryset) -> str:
        lot = self.lot()
        if not lot:
            return _("Type a lot or batch to see where its goods went.")
        customers = queryset.values("shipment__order__customer").distinct().count()
        return _("Lot %(lot)s reached %(count)s customers.") % {"lot": lot, "count": customers}

    def get_extra_context(self) -> dict[str, Any]:
        lot = self.lot()
        user = self.request.user
        cases = (
            compact_table(
                CaseTable,
                cases_visible_to(user)
                .filter(lot=lot)
                .select_related("customer", "assignee", "order")
                .order_by("-id")[:50],
                columns=("number", "customer", "subject", "status", "sla_due_at"),
                request=self.request,
            )
            if lot
            else None
        )
        return {
            "lot": lot,
            "lot_cases": cases,
            "recall_form": RecallForm(initial={"lot": lot}) if lot else None,
            "can_recall": user.has_perm(WORK),
        }


class RecallView(ObjectActionView):
    """Open one case per customer who received the lot: a second click opens none twice."""

    permission_required = WORK

    def perform(self, request, **kwargs):
        form = RecallForm(request.POST)
        if not form.is_valid():
            raise ServiceError(_form_errors(form))
        data = form.cleaned_data
        self.lot = data["lot"].strip()
        result = services.cases_open_for_lot(
            actor=request.user,
            lot=self.lot,
            category=data["category"],
            priority=data["priority"],
            subject=data["subject"],
        )
        return _(
            "Opened %(opened)s cases for lot %(lot)s; %(existing)s customers had one already."
        ) % {
            "opened": len(result.opened),
            "lot": self.lot,
            "existing": result.already_open,
        }

    def get_redirect_url(self, request, **kwargs):
        lot = (request.POST.get("lot") or "").strip()[:60]
        return reverse("aftersales:lot_trace") + ("?" + urlencode({"lot": lot}) if lot else "")


# --- panels and the dashboard --------------------------------------------------------------


def _panel(request: HttpRequest, cases, new_url: str, more_url: str) -> dict[str, Any]:
    rows = list(cases[:10])
    for case in rows:
        case.badge = status_badge(case.status)  # type: ignore[attr-defined]
        case.due = due_state(case)  # type: ignore[attr-defined]
    return {
        "cases": rows,
        "new_url": new_url if request.user.has_perm(ADD) else "",
        "more_url": more_url,
    }


def order_cases_panel(request: HttpRequest, order: Order) -> dict[str, Any] | None:
    cases = cases_of(request.user, order=order)
    return _panel(
        request,
        cases,
        reverse("aftersales:case_create") + "?" + urlencode({"order": order.number}),
        reverse("aftersales:case_list") + "?" + urlencode({"q": order.number}),
    )


def customer_cases_panel(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    cases = cases_of(request.user, customer=customer)
    return _panel(
        request,
        cases,
        reverse("aftersales:case_create") + "?" + urlencode({"customer": customer.code}),
        reverse("aftersales:case_list") + "?" + urlencode({"q": customer.code}),
    )
