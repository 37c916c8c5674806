"""Entering an order: the start form, then the draft editor.

The editor page is a GET; each change is a POST-only view of its own that calls one service
(save details, add, update or remove a line). Asked by htmx, a line view answers with the
lines fragment (422 with the form's errors when the input was refused); asked by a plain
form, it redirects back to the editor, or shows the editor with the errors.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from inventory.models import StockLevel
from oms.errors import ServiceError
from oms.generic import (
    ObjectActionView,
    ObjectEditView,
    RequirePermissionMixin,
    apply_validation_error,
)
from orders import services
from orders.choices import OrderStatus
from orders.forms import (
    LineAddForm,
    LineRemoveForm,
    LineUpdateForm,
    OrderHeaderForm,
    OrderStartForm,
)
from orders.models import Order
from orders.permissions import ACTION_PERMISSIONS, OrderAction
from orders.tables import DraftLineTable
from orders.views.detail import OrderInUrlMixin

S = OrderStatus


class OrderCreateView(ObjectEditView):
    permission_required = "orders.add_order"
    form_class = OrderStartForm
    template_name = "orders/order_start.html"
    title = gettext_lazy("New order")
    submit_label = gettext_lazy("Continue to lines")

    def get_cancel_url(self):
        return reverse("orders:list")

    def get_form_kwargs(self):
        kwargs = {"user": self.request.user}
        if self.request.method == "GET" and "customer" in self.request.GET:
            kwargs["initial"] = {"customer": self.request.GET["customer"]}
        return kwargs

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
    return {"lines": lines, "lines_table": DraftLineTable(lines, order=order), "order": order}


def error_sentences(form) -> list[str]:
    """A refused form's errors for the alert above the lines, each naming its field."""
    if form is None:
        return []
    sentences = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        for error in errors:
            if field is None or not field.label:
                sentences.append(error)
            else:
                sentences.append(_("%(field)s: %(error)s") % {"field": field.label, "error": error})
    return sentences


class DraftEditorMixin(OrderInUrlMixin):
    """Renders the editor (or, for htmx, its lines fragment) for the order in the URL."""

    permission_required = ACTION_PERMISSIONS[OrderAction.EDIT]

    def editor_response(
        self, *, header_form=None, line_form=None, error_form=None, status=200
    ) -> HttpResponse:
        order = Order.objects.select_related("customer").get(pk=self.order.pk)
        if order.status != S.DRAFT:
            messages.info(self.request, _("Only drafts are edited here."))
            if self.request.htmx:
                return HttpResponseClientRedirect(order.get_absolute_url())
            return HttpResponseRedirect(order.get_absolute_url())
        context = {
            "order": order,
            "title": _("Edit %(number)s") % {"number": order.number},
            "header_form": header_form
            or OrderHeaderForm(order=order, initial=header_initial(order)),
            "line_form": line_form or LineAddForm(),
            "errors": error_sentences(error_form),
            **lines_context(order),
        }
        template = (
            "orders/includes/draft_lines.html" if self.request.htmx else "orders/order_edit.html"
        )
        return render(self.request, template, context, status=status)


class OrderEditView(DraftEditorMixin, RequirePermissionMixin, View):
    """The draft editor page: header form and lines changed in place (htmx)."""

    def get(self, request, *args, **kwargs):
        return self.editor_response()


class DraftChangeView(DraftEditorMixin, ObjectActionView):
    """POST-only: validate one form, call one service, answer with the editor."""

    form_class: type | None = None

    def make_form(self):
        return self.form_class(self.request.POST)

    def call_service(self, request, form) -> None:
        """Call the one service of this change with the form's cleaned data."""
        raise NotImplementedError

    def refused(self, form) -> HttpResponse:
        return self.editor_response(error_form=form, status=422)

    def post(self, request, *args, **kwargs):
        form = self.make_form()
        if form.is_valid():
            try:
                self.call_service(request, form)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                if request.htmx:
                    return self.editor_response()
                return HttpResponseRedirect(reverse("orders:edit", args=[self.order.number]))
        return self.refused(form)


class DraftDetailsView(DraftChangeView):
    def make_form(self):
        return OrderHeaderForm(self.request.POST, order=self.order)

    def call_service(self, request, form):
        services.order_update_draft(actor=request.user, order=self.order, data=form.cleaned_data)
        messages.success(request, _("Saved."))

    def refused(self, form):
        return self.editor_response(header_form=form, status=422)


class DraftLineAddView(DraftChangeView):
    form_class = LineAddForm

    def call_service(self, request, form):
        services.order_line_add(actor=request.user, order=self.order, **form.cleaned_data)

    def refused(self, form):
        # The add form keeps what the user typed, to correct it.
        return self.editor_response(line_form=form, error_form=form, status=422)


class DraftLineUpdateView(DraftChangeView):
    form_class = LineUpdateForm

    def call_service(self, request, form):
        services.order_line_update(actor=request.user, order=self.order, **form.cleaned_data)


class DraftLineRemoveView(DraftChangeView):
    form_class = LineRemoveForm

    def call_service(self, request, form):
        services.order_line_remove(actor=request.user, order=self.order, **form.cleaned_data)
