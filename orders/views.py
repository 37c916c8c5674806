from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from customers.models import Customer
from inventory.models import Product, StockLevel
from oms.errors import ServiceError
from oms.generic import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RequirePermissionMixin,
    apply_validation_error,
)
from oms.roles import ROLES
from orders import selectors, services
from orders.choices import AMENDABLE_STATUSES, CANCELLABLE_STATUSES, OrderStatus
from orders.filters import OrderFilterSet, QueueFilterSet
from orders.forms import (
    BoostForm,
    LineAddForm,
    LineUpdateForm,
    NoteForm,
    OrderHeaderForm,
    OrderStartForm,
    ReasonForm,
)
from orders.models import Order
from orders.tables import ApprovalTable, OrderTable, QueueTable

S = OrderStatus


def get_order_or_404(number: str) -> Order:
    order = Order.objects.select_related("customer").filter(number=number).first()
    if order is None:
        raise Http404
    return order


class OrderListView(ObjectListView):
    permission_required = "orders.view_order"
    filterset_class = OrderFilterSet
    table_class = OrderTable
    title = gettext_lazy("Orders")
    export_name = "orders"
    actions = [(gettext_lazy("New order"), "orders:create", "orders.add_order", "plus-lg")]

    def get_queryset(self):
        return selectors.order_list()


class PriorityQueueView(ObjectListView):
    permission_required = "orders.view_order"
    filterset_class = QueueFilterSet
    table_class = QueueTable
    title = gettext_lazy("Priority queue")
    export_name = "priority-queue"

    def get_queryset(self):
        return selectors.priority_queue()

    def get_summary(self, queryset):
        return _(
            "Open orders, most urgent first. The score and its reasons are recomputed every night."
        )


class ApprovalQueueView(ObjectListView):
    permission_required = "orders.approve_order"
    filterset_class = None
    table_class = ApprovalTable
    title = gettext_lazy("Awaiting my approval")
    export_name = "approvals"

    def get_queryset(self):
        return selectors.pending_approvals_for(services.user_roles(self.request.user))

    def get_summary(self, queryset):
        roles = sorted(services.user_roles(self.request.user))
        return _("Orders whose current review level needs one of your roles: %(roles)s.") % {
            "roles": ", ".join(str(ROLES[r].label) for r in roles) or "—"
        }


class OrderDetailView(ObjectDetailView):
    permission_required = "orders.view_order"
    template_name = "orders/order_detail.html"

    def get_object(self):
        return selectors.order_detail(self.kwargs["number"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order, user = self.object, self.request.user
        roles = services.user_roles(user)
        current = [
            a
            for a in order.approvals.all()
            if a.round == order.review_round and a.decision == "pending"
        ]
        lowest = min((a.level for a in current), default=None)
        context.update(
            {
                "lines": order.lines.all(),
                "approvals": order.approvals.all(),
                "events": order.events.all(),
                "can": {
                    "edit": order.status == S.DRAFT and user.has_perm("orders.change_order"),
                    "submit": order.status == S.DRAFT and user.has_perm("orders.change_order"),
                    "decide": order.status == S.PENDING_REVIEW
                    and user.has_perm("orders.approve_order")
                    and any(a.level == lowest and a.required_role in roles for a in current),
                    "hold": not order.on_hold
                    and order.status not in (S.CANCELLED, S.COMPLETED)
                    and user.has_perm("orders.hold_order"),
                    "resume": order.on_hold and user.has_perm("orders.hold_order"),
                    "cancel": order.status in CANCELLABLE_STATUSES
                    and user.has_perm("orders.cancel_order"),
                    "amend": order.status in AMENDABLE_STATUSES
                    and order.picking_started_at is None
                    and user.has_perm("orders.amend_order"),
                    "boost": order.is_open and user.has_perm("orders.boost_order"),
                    "pick": order.status == S.PICKING
                    and order.picking_started_at is None
                    and user.has_perm("orders.start_picking"),
                },
            }
        )
        return context


class OrderCreateView(ObjectEditView):
    permission_required = "orders.add_order"
    form_class = OrderStartForm
    template_name = "orders/order_start.html"
    title = gettext_lazy("New order")
    submit_label = gettext_lazy("Continue to lines")

    def get_cancel_url(self):
        return reverse("orders:list")

    def get_form_kwargs(self):
        if self.request.method == "GET" and "customer" in self.request.GET:
            return {"initial": {"customer": self.request.GET["customer"]}}
        return {}

    def save(self, form):
        data = form.cleaned_data
        return services.order_create(
            actor=self.request.user,
            customer=data["customer"],
            channel=data["channel"],
            external_reference=data["external_reference"],
            requested_delivery_date=data["requested_delivery_date"],
            notes=data["notes"],
        )

    def success_message(self, order):
        return _("Draft %(number)s created: add its lines.") % {"number": order.number}

    def get_success_url(self, order):
        return reverse("orders:edit", args=[order.number])


class OrderEditView(RequirePermissionMixin, View):
    """The draft editor: header form, and lines added, changed and removed in place (htmx)."""

    permission_required = "orders.change_order"

    def dispatch(self, request, *args, **kwargs):
        self.order = get_order_or_404(kwargs["number"])
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, header_form=None, line_form=None, status=200):
        order = Order.objects.select_related("customer").get(pk=self.order.pk)
        if order.status != S.DRAFT:
            messages.info(self.request, _("Only drafts are edited here."))
            return HttpResponseRedirect(order.get_absolute_url())
        context = {
            "order": order,
            "title": _("Edit %(number)s") % {"number": order.number},
            "header_form": header_form
            or OrderHeaderForm(order=order, initial=header_initial(order)),
            "line_form": line_form or LineAddForm(),
            **lines_context(order),
        }
        template = (
            "orders/includes/draft_lines.html" if self.request.htmx else "orders/order_edit.html"
        )
        return render(self.request, template, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "header")
        try:
            if action == "add":
                form = LineAddForm(request.POST)
                if not form.is_valid():
                    return self.render_page(line_form=form, status=422)
                services.order_line_add(actor=request.user, order=self.order, **form.cleaned_data)
            elif action in ("update", "remove"):
                line_no = int(request.POST.get("line_no", 0))
                if action == "remove":
                    services.order_line_remove(
                        actor=request.user, order=self.order, line_no=line_no
                    )
                else:
                    form = LineUpdateForm(request.POST)
                    if not form.is_valid():
                        messages.error(
                            request, " ".join(e for errors in form.errors.values() for e in errors)
                        )
                        return self.render_page(status=422)
                    services.order_line_update(
                        actor=request.user, order=self.order, line_no=line_no, **form.cleaned_data
                    )
            else:
                form = OrderHeaderForm(request.POST, order=self.order)
                if not form.is_valid():
                    return self.render_page(header_form=form, status=422)
                services.order_update_draft(
                    actor=request.user, order=self.order, data=form.cleaned_data
                )
                messages.success(request, _("Saved."))
        except ValidationError as exc:
            form = LineAddForm(request.POST) if action == "add" else None
            if form is not None:
                form.is_valid()
                apply_validation_error(form, exc)
                return self.render_page(line_form=form, status=422)
            messages.error(request, " ".join(exc.messages))
            return self.render_page(status=422)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return self.render_page(status=422)
        return self.render_page()


def header_initial(order: Order) -> dict:
    address = order.customer.addresses.filter(
        region=order.ship_region, city=order.ship_city, street=order.ship_street
    ).first()
    return {
        "shipping_address": address,
        "requested_delivery_date": order.requested_delivery_date,
        "notes": order.notes,
        "needs_review": order.needs_review,
    }


def lines_context(order: Order) -> dict:
    lines = list(order.lines.select_related("product").order_by("line_no"))
    available = dict(
        StockLevel.objects.filter(
            product_id__in=[line.product_id for line in lines], warehouse__is_active=True
        )
        .values("product_id")
        .annotate(free=Sum("on_hand") - Sum("reserved"))
        .values_list("product_id", "free")
    )
    for line in lines:
        line.available = available.get(line.product_id, 0)
    return {"lines": lines, "order": order}


class SkuOptionsView(RequirePermissionMixin, View):
    """htmx: <option>s for the SKU box, with free stock, as the user types."""

    permission_required = "orders.view_order"

    def get(self, request):
        query = request.GET.get("product", "").strip()
        products = Product.objects.filter(is_active=True)
        if query:
            products = products.filter(
                Q(sku__istartswith=query) | Q(name__icontains=query) | Q(name_en__icontains=query)
            )
        products = products.annotate(
            free=Sum("stock_levels__on_hand") - Sum("stock_levels__reserved")
        ).order_by("sku")[:20]
        return render(request, "orders/includes/sku_options.html", {"products": products})


class CustomerOptionsView(RequirePermissionMixin, View):
    permission_required = "orders.add_order"

    def get(self, request):
        query = request.GET.get("customer", "").strip()
        customers = Customer.objects.filter(is_active=True)
        if query:
            customers = customers.filter(
                Q(code__istartswith=query) | Q(name__icontains=query) | Q(phone__startswith=query)
            )
        return render(
            request,
            "orders/includes/customer_options.html",
            {"customers": customers.order_by("code")[:20]},
        )


# ---------------------------------------------------------------- actions (POST only, one service each)


class OrderActionView(ObjectActionView):
    def get_redirect_url(self, request, **kwargs):
        return reverse("orders:detail", args=[kwargs["number"]])

    def order(self, kwargs) -> Order:
        return get_order_or_404(kwargs["number"])

    def form_value(self, form_class, field):
        form = form_class(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors.get(field, [_("Check the form.")])[0])
        return form.cleaned_data[field]


class SubmitView(OrderActionView):
    permission_required = "orders.change_order"

    def perform(self, request, **kwargs):
        order = services.order_submit(actor=request.user, order=self.order(kwargs))
        if order.status == S.PENDING_REVIEW:
            return _("%(number)s is waiting for approval.") % {"number": order.number}
        return _("%(number)s is confirmed: %(status)s.") % {
            "number": order.number,
            "status": order.get_status_display(),
        }


class ApproveView(OrderActionView):
    permission_required = "orders.approve_order"

    def perform(self, request, **kwargs):
        order = services.order_approve(
            actor=request.user, order=self.order(kwargs), note=self.form_value(NoteForm, "note")
        )
        return _("Approved. %(number)s is now %(status)s.") % {
            "number": order.number,
            "status": order.get_status_display(),
        }


class RejectView(OrderActionView):
    permission_required = "orders.approve_order"

    def perform(self, request, **kwargs):
        order = services.order_reject(
            actor=request.user, order=self.order(kwargs), note=self.form_value(NoteForm, "note")
        )
        return _("Rejected. %(number)s is back in draft.") % {"number": order.number}


class HoldView(OrderActionView):
    permission_required = "orders.hold_order"

    def perform(self, request, **kwargs):
        services.order_hold(
            actor=request.user,
            order=self.order(kwargs),
            reason=self.form_value(ReasonForm, "reason"),
        )
        return _("The order is on hold.")


class ResumeView(OrderActionView):
    permission_required = "orders.hold_order"

    def perform(self, request, **kwargs):
        services.order_resume(actor=request.user, order=self.order(kwargs))
        return _("The order is no longer on hold.")


class CancelView(OrderActionView):
    permission_required = "orders.cancel_order"

    def perform(self, request, **kwargs):
        services.order_cancel(
            actor=request.user,
            order=self.order(kwargs),
            reason=self.form_value(ReasonForm, "reason"),
        )
        return _("The order is cancelled and its stock released.")


class BoostView(OrderActionView):
    permission_required = "orders.boost_order"

    def perform(self, request, **kwargs):
        form = BoostForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Enter a boost between -100 and 100."))
        order = services.order_boost(
            actor=request.user, order=self.order(kwargs), **form.cleaned_data
        )
        return _("Priority is now %(score)s.") % {"score": order.priority_score}


class StartPickingView(OrderActionView):
    permission_required = "orders.start_picking"

    def perform(self, request, **kwargs):
        services.order_start_picking(actor=request.user, order=self.order(kwargs))
        return _("Picking started: the order can no longer be amended.")


class AmendView(RequirePermissionMixin, View):
    """Change quantities (0 removes a line) and add lines to a confirmed order."""

    permission_required = "orders.amend_order"

    def dispatch(self, request, *args, **kwargs):
        self.order = get_order_or_404(kwargs["number"])
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, errors=(), add_form=None, status=200):
        return render(
            self.request,
            "orders/order_amend.html",
            {
                "order": self.order,
                "title": _("Amend %(number)s") % {"number": self.order.number},
                "lines": self.order.lines.select_related("product").order_by("line_no"),
                "add_form": add_form or LineAddForm(),
                "errors": errors,
                "posted": self.request.POST,
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def post(self, request, *args, **kwargs):
        changes, errors = {}, []
        for line in self.order.lines.all():
            raw = request.POST.get(f"quantity_{line.line_no}", str(line.quantity)).strip()
            if not raw.isdigit():
                errors.append(
                    _("Line %(line)s: enter a whole number of 0 or more.") % {"line": line.line_no}
                )
                continue
            if int(raw) != line.quantity:
                changes[line.line_no] = int(raw)
        additions = []
        add_form = LineAddForm(request.POST) if request.POST.get("product", "").strip() else None
        if add_form is not None:
            if add_form.is_valid():
                data = add_form.cleaned_data
                additions.append(
                    services.LineRequest(
                        data["product"], data["quantity"], data["discount_percent"]
                    )
                )
            else:
                errors.append(_("Check the new line."))
        if errors:
            return self.render_page(errors, add_form, status=422)
        try:
            order = services.order_amend(
                actor=request.user,
                order=self.order,
                changes=changes,
                additions=additions,
                note=request.POST.get("note", ""),
            )
        except (ServiceError, ValidationError) as exc:
            messages_list = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            return self.render_page(messages_list, add_form, status=422)
        messages.success(
            request,
            _("Amended. %(number)s is now %(status)s.")
            % {"number": order.number, "status": order.get_status_display()},
        )
        return HttpResponseRedirect(order.get_absolute_url())
