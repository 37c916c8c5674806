"""Amending a confirmed order: new quantities per line (a formset), optionally one new line."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View

from oms.errors import ServiceError
from oms.generic import RequirePermissionMixin
from orders import services
from orders.forms import AmendLinesFormSet, LineAddForm, NoteForm
from orders.models import OrderLine
from orders.permissions import ACTION_PERMISSIONS, OrderAction
from orders.tables import AmendLineTable
from orders.views.detail import OrderInUrlMixin


class AmendView(OrderInUrlMixin, RequirePermissionMixin, View):
    """Change quantities (0 removes a line) and add lines to a confirmed order."""

    permission_required = ACTION_PERMISSIONS[OrderAction.AMEND]

    @cached_property
    def lines(self) -> list[OrderLine]:
        return list(self.order.lines.select_related("product").order_by("line_no"))

    def render_page(self, formset, add_form, note_form, errors=(), status=200):
        return render(
            self.request,
            "orders/order_amend.html",
            {
                "order": self.order,
                "title": _("Amend %(number)s") % {"number": self.order.number},
                "formset": formset,
                "lines_table": AmendLineTable(formset.forms),
                "add_form": add_form or LineAddForm(),
                "note_form": note_form,
                "errors": list(dict.fromkeys([*errors, *self.hidden_errors(formset)])),
            },
            status=status,
        )

    @staticmethod
    def hidden_errors(formset) -> list[str]:
        """Errors with no visible field to stand next to: the formset's and the line numbers'."""
        found = list(formset.non_form_errors()) if formset.is_bound else []
        for form in formset.forms if formset.is_bound else []:
            found += [*form.non_field_errors(), *form.errors.get("line_no", [])]
        return found

    def get(self, request, *args, **kwargs):
        return self.render_page(AmendLinesFormSet(lines=self.lines), None, NoteForm())

    def post(self, request, *args, **kwargs):
        formset = AmendLinesFormSet(request.POST, lines=self.lines)
        note_form = NoteForm(request.POST)
        # The new line is optional: only a typed SKU makes it count.
        add_form = LineAddForm(request.POST) if request.POST.get("product", "").strip() else None
        valid = [formset.is_valid(), note_form.is_valid(), add_form is None or add_form.is_valid()]
        if not all(valid):
            errors = [] if add_form is None or add_form.is_valid() else [_("Check the new line.")]
            if note_form.errors.get("note"):
                errors.append(note_form.errors["note"][0])
            return self.render_page(formset, add_form, note_form, errors, status=422)
        additions = []
        if add_form is not None:
            data = add_form.cleaned_data
            additions.append(
                services.LineRequest(data["product"], data["quantity"], data["discount_percent"])
            )
        try:
            order = services.order_amend(
                actor=request.user,
                order=self.order,
                changes=formset.changes(),
                additions=additions,
                note=note_form.cleaned_data["note"],
            )
        except (ServiceError, ValidationError) as exc:
            problems = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            return self.render_page(formset, add_form, note_form, problems, status=422)
        messages.success(
            request,
            _("Amended. %(number)s is now %(status)s.")
            % {"number": order.number, "status": order.get_status_display()},
        )
        return HttpResponseRedirect(order.get_absolute_url())
