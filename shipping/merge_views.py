"""Pages of merging and splitting: merge a shipment with the customer's other shipments (the
shipment page's card), the merged parcel's page with its label, dispatch and unmerge, and a
shipment's split page."""

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.documents import barcode_svg, qr_svg
from oms.errors import ServiceError
from oms.forms import BootstrapFormMixin
from oms.generic import (
    DocumentView,
    ObjectActionView,
    ObjectDetailView,
    RequirePermissionMixin,
    apply_validation_error,
)
from oms.services import form_submit_once
from shipping import hooks, merging, selectors
from shipping.choices import UNDISPATCHED_STATUSES
from shipping.forms import DispatchForm
from shipping.models import MergedParcel, MergedParcelStatus, Shipment
from shipping.splitting import SPLIT_PERMISSION, SPLITTABLE_STATUSES, shipment_split
from shipping.views import ShipmentActionView, get_shipment_or_404


def parcel_or_404(user, number: str) -> MergedParcel:
    parcel = merging.parcel_detail(user, number)
    if parcel is None:
        raise Http404
    return parcel


class ShipmentMergeView(ShipmentActionView):
    """Merge the shipment with the ticked shipments of the customer's other orders."""

    permission_required = merging.MERGE_PERMISSION

    def perform(self, request, **kwargs):
        shipment = self.shipment(kwargs)
        numbers = [n.strip() for n in request.POST.getlist("with") if n.strip()][:50]
        others = list(
            selectors.shipments_visible_to(request.user)
            .filter(number__in=numbers)
            .values_list("pk", flat=True)
        )
        if len(others) != len(set(numbers)) or not others:
            raise ValidationError(_("Tick the shipments to merge with."))
        self.parcel = merging.shipments_merge(actor=request.user, shipment=shipment, others=others)
        return _("%(number)s leaves as one parcel: %(parcel)s.") % {
            "number": shipment.number,
            "parcel": self.parcel.number,
        }

    def get_redirect_url(self, request, **kwargs):
        parcel = getattr(self, "parcel", None)
        if parcel is not None:
            return parcel.get_absolute_url()
        return super().get_redirect_url(request, **kwargs)


def merge_panel(request, shipment):
    """The shipment page's card: its merged parcel, or the customer's shipments it could
    leave with (and why the others cannot), and the split link."""
    if shipment.status == "cancelled":
        return None
    parcel = shipment.merged_parcel
    user = request.user
    candidates = merging.merge_candidates(shipment) if parcel is None else []
    return {
        "shipment": shipment,
        "parcel": parcel,
        "candidates": candidates,
        "mergeable": any(refusal is None for _other, refusal in candidates),
        "can_merge": user.has_perm(merging.MERGE_PERMISSION),
        "can_split": user.has_perm(SPLIT_PERMISSION)
        and shipment.status in SPLITTABLE_STATUSES
        and not shipment.order.on_hold
        and sum(line.quantity for line in shipment.lines.all()) > 1,
    }


class ParcelLookup:
    """A merged parcel page: the parcel of the URL's number, among those the user may see."""

    permission_required = "shipping.view_shipment"
    request: Any
    kwargs: dict[str, Any]

    def get_object(self):
        return merging.parcel_detail(self.request.user, self.kwargs["number"])


class ParcelDetailView(ParcelLookup, ObjectDetailView):
    template_name = "shipping/parcel_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parcel = self.object
        members = merging.parcel_members(parcel)
        user = self.request.user
        is_open = parcel.status == MergedParcelStatus.OPEN
        context.update(
            {
                "members": members,
                "order": members[0].order if members else None,
                "units": sum(line.quantity for s in members for line in s.lines.all()),
                "not_packed": [s for s in members if s.status != "packed"],
                "can_unmerge": is_open and user.has_perm(merging.MERGE_PERMISSION),
                "can_dispatch": is_open
                and len(members) > 1
                and all(s.status == "packed" for s in members)
                and user.has_perm("shipping.dispatch_shipment"),
                "title": parcel.number,
            }
        )
        return context


class ParcelUnmergeView(ObjectActionView):
    permission_required = merging.MERGE_PERMISSION

    def perform(self, request, **kwargs):
        parcel = merging.parcel_unmerge(
            actor=request.user, parcel=parcel_or_404(request.user, kwargs["number"])
        )
        return _("%(number)s is unmerged: each shipment leaves on its own.") % {
            "number": parcel.number
        }

    def get_redirect_url(self, request, **kwargs):
        return reverse("shipping:parcel", args=[kwargs["number"]])


class ParcelDispatchForm(DispatchForm):
    # The shipments the user saw: the dispatch is refused if the parcel changed meanwhile.
    members = forms.CharField(widget=forms.HiddenInput, max_length=2000)


class ParcelDispatchView(RequirePermissionMixin, View):
    """One carrier, one tracking number for every shipment of the parcel."""

    permission_required = "shipping.dispatch_shipment"
    template_name = "shipping/parcel_dispatch.html"

    def render_page(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": self.parcel,
                "members": self.members,
                "title": _("Dispatch merged parcel %(number)s") % {"number": self.parcel.number},
                "submit_label": _("Dispatch"),
                "cancel_url": self.parcel.get_absolute_url(),
                "refusal": self.refusal(),
            },
            status=status,
        )

    def refusal(self) -> str | None:
        if self.parcel.status != MergedParcelStatus.OPEN:
            return _("Merged parcel %(number)s is %(status)s; it cannot be dispatched.") % {
                "number": self.parcel.number,
                "status": self.parcel.get_status_display(),
            }
        waiting = [s.number for s in self.members if s.status != "packed"]
        if waiting:
            return _("Pack every shipment first: %(numbers)s.") % {"numbers": ", ".join(waiting)}
        for member in self.members:
            if (refusal := hooks.dispatch_refusal(member)) is not None:
                return refusal
        return None

    def setup_parcel(self, number):
        self.parcel = parcel_or_404(self.request.user, number)
        self.members = merging.parcel_members(self.parcel)

    def get(self, request, number):
        self.setup_parcel(number)
        first = self.members[0] if self.members else None
        weight = sum(selectors.shipment_weight(s) for s in self.members)
        initial = {
            "carrier": first.carrier if first else "",
            "service": (first.service if first else "") or "standard",
            "parcels": 1,
            "weight_kg": weight,
            "declared_value": sum(s.declared_value for s in self.members),
            "cod_amount": sum(s.cod_amount for s in self.members),
            "expected_delivery_date": first.expected_delivery_date if first else None,
            "members": ",".join(s.number for s in self.members),
        }
        form = ParcelDispatchForm(initial=initial)
        for name in ("declared_value", "cod_amount"):
            form.fields[name].disabled = True
            form.fields[name].help_text = _("The sum of the shipments' own; each keeps its own.")
        return self.render_page(form)

    def post(self, request, number):
        self.setup_parcel(number)
        form = ParcelDispatchForm(request.POST)
        for name in ("declared_value", "cod_amount"):
            form.fields[name].required = False
        if form.is_valid():
            try:
                merging.parcel_dispatch(
                    actor=request.user,
                    parcel=self.parcel,
                    details=form.details(),
                    expected=[n for n in form.cleaned_data["members"].split(",") if n],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(number)s is dispatched with %(carrier)s, tracking number %(tracking)s.")
                    % {
                        "number": self.parcel.number,
                        "carrier": form.cleaned_data["carrier"],
                        "tracking": form.cleaned_data["tracking_number"],
                    },
                )
                return HttpResponseRedirect(self.parcel.get_absolute_url())
        return self.render_page(form, status=422)


class ParcelLabelView(ParcelLookup, DocumentView):
    """The merged parcel's shipping label: one label, one tracking number, every order."""

    template_name = "shipping/documents/parcel_label.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parcel = self.object
        members = merging.parcel_members(parcel)
        code = parcel.tracking_number or parcel.number
        context.update(
            {
                "merged": parcel,
                "members": members,
                "order": members[0].order if members else None,
                "title": _("Shipping label"),
                "document_number": f"LB-{parcel.number}",
                "barcode": barcode_svg(code),
                "barcode_value": code,
                "qr": qr_svg(parcel.number),
                "qr_caption": parcel.number,
                "weight": parcel.weight_kg or sum(selectors.shipment_weight(s) for s in members),
                "cod": sum(s.cod_amount for s in members),
                "fragile": any(line.product.fragile for s in members for line in s.lines.all()),
                "parcel_numbers": range(1, min(parcel.parcels, 50) + 1),
                "printed_at": timezone.localtime(),
                "back_url": parcel.get_absolute_url(),
            }
        )
        return context


class SplitForm(BootstrapFormMixin, forms.Form):
    """How many units of each line move to the new shipment (fields built per line)."""

    # One split per form: sent twice, the second leads to what the first made.
    form_token = forms.UUIDField(
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages={
            "invalid": gettext_lazy("This form is out of date; open the page again."),
            "required": gettext_lazy("This form is out of date; open the page again."),
        },
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"move-{line.pk}"] = forms.IntegerField(
                label=line.product.sku,
                min_value=0,
                max_value=line.quantity,
                required=False,
                initial=0,
            )

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data.get(f"move-{line.pk}") or 0 for line in self.lines}


class ShipmentSplitView(RequirePermissionMixin, View):
    permission_required = SPLIT_PERMISSION
    template_name = "shipping/shipment_split.html"

    def render_page(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "rows": [(line, form[f"move-{line.pk}"]) for line in form.lines],
                "shipment": self.shipment,
                "object": self.shipment,
                "title": _("Split shipment %(number)s") % {"number": self.shipment.number},
                "refusal": None
                if self.shipment.status in SPLITTABLE_STATUSES
                else _("Only a waiting or picking shipment can be split."),
            },
            status=status,
        )

    def setup_shipment(self, number):
        self.shipment = get_shipment_or_404(self.request.user, number)
        return list(self.shipment.lines.select_related("product").order_by("pk"))

    def get(self, request, number):
        return self.render_page(SplitForm(lines=self.setup_shipment(number)))

    def post(self, request, number):
        form = SplitForm(request.POST, lines=self.setup_shipment(number))
        if form.is_valid():
            try:
                created, url = form_submit_once(
                    token=form.cleaned_data["form_token"],
                    user=request.user,
                    save=lambda: shipment_split(
                        actor=request.user, shipment=self.shipment, quantities=form.quantities()
                    ),
                    result_url=lambda obj: obj.get_absolute_url(),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                if created is None:
                    messages.info(request, _("This form was already sent; here is what it saved."))
                else:
                    messages.success(
                        request,
                        _("%(new)s is split off %(number)s.")
                        % {"new": created.number, "number": self.shipment.number},
                    )
                return HttpResponseRedirect(url)
        return self.render_page(form, status=422)


def order_merge_panel(request, order):
    """The order page's card: its shipments' merged parcels, and the customer's other
    shipments they could leave with (the merge itself is on the shipment's page)."""
    shipments = list(
        Shipment.objects.filter(order=order, status__in=UNDISPATCHED_STATUSES)
        .select_related("order", "merged_parcel")
        .order_by("pk")
    )
    rows = []
    for shipment in shipments:
        parcel = shipment.merged_parcel
        if parcel is not None and parcel.status == MergedParcelStatus.OPEN:
            rows.append((shipment, parcel, []))
            continue
        partners = [c for c, refusal in merging.merge_candidates(shipment) if refusal is None]
        if partners:
            rows.append((shipment, None, partners))
    return {"rows": rows} if rows else None
