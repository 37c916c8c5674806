"""Back-office pages for the rules that price and review orders: price lists and their
prices, promotions, shipping fee rules and approval rules. Each page calls one service in
orders/services/rules.py; rules are switched off (deactivated), never deleted here."""

import csv
import itertools
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from inventory.models import Product
from oms.exports import plain
from oms.generic import (
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    RequirePermissionMixin,
    apply_validation_error,
)
from oms.tables import currency_symbol
from orders.filters import (
    ApprovalRuleFilterSet,
    PriceListFilterSet,
    PromotionFilterSet,
    ShippingRuleFilterSet,
)
from orders.forms import (
    ApprovalRuleForm,
    PriceBreaksForm,
    PriceImportForm,
    PriceListForm,
    PromotionForm,
    ShippingRuleForm,
)
from orders.models import ApprovalRule, PriceList, PriceListItem, Promotion, ShippingRule
from orders.services import rules as services
from orders.tables import (
    ApprovalRuleTable,
    PriceListTable,
    PromotionTable,
    ShippingRuleTable,
)

PRICES_PER_PAGE = 50


def _get_or_404(model, pk):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# ---------------------------------------------------------------- shared by the rule kinds


class RuleEditView(ObjectEditView):
    """Create or edit one rule; its page also offers to deactivate or reactivate it."""

    model: Any = None
    template_name = "orders/rule_form.html"
    list_url_name = ""
    activate_url_name = ""
    deactivate_url_name = ""
    deactivate_warning = ""

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return _get_or_404(self.model, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"instance": self.object}

    def get_cancel_url(self):
        return reverse(self.list_url_name)

    def get_success_url(self, obj):
        return reverse(self.list_url_name)

    def get_extra_context(self):
        obj = self.object
        return {
            "list_url": reverse(self.list_url_name),
            # Only the edit view has an object, and it already requires the change permission.
            "can_toggle": obj is not None,
            "activate_url": reverse(self.activate_url_name, args=[obj.pk]) if obj else "",
            "deactivate_url": reverse(self.deactivate_url_name, args=[obj.pk]) if obj else "",
            "deactivate_warning": self.deactivate_warning,
        }


class RuleSetActiveView(ObjectActionView):
    """POST only: switch a rule on or off through its service, then back to its page."""

    model: Any = None
    active = True

    def set_active(self, obj, active: bool):
        raise NotImplementedError

    def perform(self, request, **kwargs):
        obj = _get_or_404(self.model, kwargs["pk"])
        self.set_active(obj, self.active)
        if self.active:
            return _("%(object)s is active again.") % {"object": obj}
        return _("%(object)s is inactive.") % {"object": obj}

    def get_redirect_url(self, request, **kwargs):
        return _get_or_404(self.model, kwargs["pk"]).get_absolute_url()


# ---------------------------------------------------------------- price lists


class PriceListListView(ObjectListView):
    permission_required = "orders.view_pricelist"
    filterset_class = PriceListFilterSet
    table_class = PriceListTable
    title = gettext_lazy("Price lists")
    export_name = "price-lists"
    actions = [
        (
            gettext_lazy("New price list"),
            "orders:price_list_create",
            "orders.add_pricelist",
            "plus-lg",
        )
    ]

    def get_queryset(self):
        return PriceList.objects.annotate(products=Count("items__product", distinct=True)).order_by(
            "customer_group", "-is_active", "name"
        )

    def get_summary(self, queryset):
        return _(
            "Each customer group buys from its one active list; quantity breaks lower the unit "
            "price for larger quantities."
        )


def prices_context(
    request, price_list: PriceList, *, editor: PriceBreaksForm | None = None
) -> dict[str, Any]:
    """The prices block of a price list page: the line editor, search, and a page of products
    with their quantity breaks (one row per product)."""
    query = request.GET.get("q", request.POST.get("q", "")).strip()
    page_number = request.GET.get("page", request.POST.get("page", 1))
    product_ids = PriceListItem.objects.filter(price_list=price_list).values("product_id")
    products = Product.objects.filter(pk__in=product_ids).order_by("sku")
    if query:
        products = products.filter(
            Q(sku__istartswith=query) | Q(name__icontains=query) | Q(name_en__icontains=query)
        )
    page = Paginator(products.only("pk", "sku", "name", "is_active"), PRICES_PER_PAGE).get_page(
        page_number
    )
    breaks: dict[int, list[PriceListItem]] = {}
    for item in PriceListItem.objects.filter(
        price_list=price_list, product_id__in=[p.pk for p in page]
    ).order_by("min_quantity"):
        breaks.setdefault(item.product_id, []).append(item)
    rows = [(product, breaks.get(product.pk, [])) for product in page]
    if editor is None:
        editor = PriceBreaksForm(initial={"min_quantity_0": 1})
    return {
        "price_list": price_list,
        "rows": rows,
        "page": page,
        "query": query,
        "editor": editor,
        "can_edit": request.user.has_perm("orders.change_pricelist"),
        "currency_symbol": currency_symbol(),
    }


def editor_for(price_list: PriceList, sku: str) -> PriceBreaksForm:
    """The line editor filled with a product's current breaks, plus one spare row."""
    items = list(
        PriceListItem.objects.filter(price_list=price_list, product__sku=sku.strip().upper())
        .select_related("product")
        .order_by("min_quantity")
    )
    if not items:
        return PriceBreaksForm(initial={"sku": sku.strip().upper(), "min_quantity_0": 1})
    initial: dict[str, Any] = {"sku": items[0].product.sku}
    for i, item in enumerate(items):
        initial[f"min_quantity_{i}"] = item.min_quantity
        initial[f"unit_price_{i}"] = item.unit_price
    return PriceBreaksForm(initial=initial, slots=len(items) + 1)


class PriceListDetailView(ObjectDetailView):
    permission_required = "orders.view_pricelist"
    template_name = "orders/price_list_detail.html"

    def get_object(self):
        return PriceList.objects.filter(pk=self.kwargs["pk"]).first()

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            self.object = self.get_object()
            if self.object is None:
                raise Http404
            return prices_csv(self.object)
        if request.htmx:
            self.object = self.get_object()
            if self.object is None:
                raise Http404
            return render(
                request,
                "orders/includes/price_list_prices.html",
                prices_context(request, self.object),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        price_list = self.object
        context.update(prices_context(self.request, price_list))
        context.update(price_list_header(price_list))
        return context


def price_list_header(price_list: PriceList) -> dict[str, Any]:
    return {
        "title": price_list.name,
        "active_other": None
        if price_list.is_active
        else PriceList.objects.filter(
            customer_group=price_list.customer_group, is_active=True
        ).first(),
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def prices_csv(price_list: PriceList) -> StreamingHttpResponse:
    """The list's prices in the layout the import reads back: SKU, from quantity, unit price."""
    writer = csv.writer(_Echo())
    items = (
        PriceListItem.objects.filter(price_list=price_list)
        .select_related("product")
        .order_by("product__sku", "min_quantity")
    )
    header = [_("SKU"), _("From quantity"), _("Unit price"), _("Product")]
    rows = (
        writer.writerow([plain(i.product.sku), i.min_quantity, i.unit_price, plain(i.product.name)])
        for i in items.iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(
        itertools.chain(["\ufeff", writer.writerow(header)], rows),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = content_disposition_header(
        True, f"prices-{price_list.pk}-{stamp}.csv"
    )
    return response


class PriceListEditView(ObjectEditView):
    permission_required = "orders.change_pricelist"
    form_class = PriceListForm
    title = gettext_lazy("Edit price list")

    def get_object(self):
        return _get_or_404(PriceList, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"instance": self.object}

    def save(self, form):
        return services.price_list_save(
            actor=self.request.user, price_list=self.object, data=form.cleaned_data
        )


class PriceListCreateView(PriceListEditView):
    permission_required = "orders.add_pricelist"
    title = gettext_lazy("New price list")

    def get_object(self):
        return None

    def get_cancel_url(self):
        return reverse("orders:price_list_list")

    def success_message(self, price_list):
        if price_list.is_active:
            return _("Created %(name)s: add its prices below.") % {"name": price_list.name}
        return _(
            "Created %(name)s as inactive: the group already has an active list. Add the prices, "
            "then activate it to switch over."
        ) % {"name": price_list.name}


class PriceListActivateView(ObjectActionView):
    permission_required = "orders.change_pricelist"

    def perform(self, request, **kwargs):
        price_list = _get_or_404(PriceList, kwargs["pk"])
        replaced = services.price_list_activate(actor=request.user, price_list=price_list)
        message = _("%(name)s is now the price list for %(group)s customers.") % {
            "name": price_list.name,
            "group": price_list.get_customer_group_display(),
        }
        if replaced is not None:
            message += " " + _("%(name)s was deactivated.") % {"name": replaced.name}
        return message

    def get_redirect_url(self, request, **kwargs):
        return reverse("orders:price_list_detail", args=[kwargs["pk"]])


class PriceListDeactivateView(PriceListActivateView):
    def perform(self, request, **kwargs):
        price_list = _get_or_404(PriceList, kwargs["pk"])
        services.price_list_deactivate(actor=request.user, price_list=price_list)
        return _(
            "%(name)s is inactive: orders of %(group)s customers cannot be priced until a list "
            "for the group is active again."
        ) % {"name": price_list.name, "group": price_list.get_customer_group_display()}


class PriceListPricesView(RequirePermissionMixin, View):
    """The line editor of a price list: GET fills it with a product's breaks (?sku=…),
    POST sets them (action=save) or takes the product out of the list (action=remove).
    htmx swaps the prices block in place; without JavaScript the whole page comes back."""

    permission_required = "orders.change_pricelist"

    def dispatch(self, request, *args, **kwargs):
        self.price_list = _get_or_404(PriceList, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def render_block(self, editor: PriceBreaksForm, status: int = 200, focus: str = "sku"):
        # htmx focuses [autofocus] after the swap: the first field to fix, else `focus`.
        if editor.is_bound and editor.errors:
            focus = next(
                (name for name in editor.fields if name in editor.errors), "min_quantity_0"
            )
        editor.fields[focus].widget.attrs["autofocus"] = True
        context = prices_context(self.request, self.price_list, editor=editor)
        if self.request.htmx:
            return render(
                self.request, "orders/includes/price_list_prices.html", context, status=status
            )
        context.update(price_list_header(self.price_list))
        context["object"] = self.price_list
        return render(self.request, "orders/price_list_detail.html", context, status=status)

    def get(self, request, *args, **kwargs):
        sku = request.GET.get("sku", "")
        return self.render_block(
            editor_for(self.price_list, sku), focus="unit_price_0" if sku else "sku"
        )

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "remove":
            product_id = request.POST.get("product", "")
            product = (
                Product.objects.filter(pk=product_id).first()
                if product_id.isascii() and product_id.isdigit()  # not "²", which int() refuses
                else None
            )
            if product is None:
                messages.error(
                    request, _("That product is not in this price list; reload the page.")
                )
            else:
                services.price_list_prices_remove(
                    actor=request.user, price_list=self.price_list, product=product
                )
                messages.success(
                    request, _("%(sku)s is no longer in this price list.") % {"sku": product.sku}
                )
            return self.done()
        editor = PriceBreaksForm(request.POST)
        if not editor.is_valid():
            return self.render_block(editor, status=422)
        try:
            product = services.price_list_prices_set(
                actor=request.user,
                price_list=self.price_list,
                sku=editor.cleaned_data["sku"],
                breaks=editor.breaks(),
            )
        except ValidationError as exc:
            apply_validation_error(editor, exc)
            return self.render_block(editor, status=422)
        messages.success(request, _("Prices of %(sku)s saved.") % {"sku": product.sku})
        return self.done()

    def done(self):
        if self.request.htmx:
            return self.render_block(PriceBreaksForm(initial={"min_quantity_0": 1}))
        url = reverse("orders:price_list_detail", args=[self.price_list.pk])
        return HttpResponseRedirect(url)


class PriceListImportView(ObjectEditView):
    permission_required = "orders.change_pricelist"
    form_class = PriceImportForm
    template_name = "orders/price_list_import.html"
    submit_label = gettext_lazy("Import prices")

    def get_object(self):
        return _get_or_404(PriceList, self.kwargs["pk"])

    @property
    def title(self):
        return _("Import prices into %(name)s") % {"name": self.object.name}

    def save(self, form):
        self.count = services.price_list_import(
            actor=self.request.user, price_list=self.object, text=form.cleaned_data["text"]
        )
        return self.object

    def success_message(self, price_list):
        return _("Prices set for %(count)s products.") % {"count": self.count}


# ---------------------------------------------------------------- promotions


class PromotionListView(ObjectListView):
    permission_required = "orders.view_promotion"
    filterset_class = PromotionFilterSet
    table_class = PromotionTable
    title = gettext_lazy("Promotions")
    export_name = "promotions"
    actions = [
        (
            gettext_lazy("New promotion"),
            "orders:promotion_create",
            "orders.add_promotion",
            "plus-lg",
        )
    ]

    def get_queryset(self):
        return Promotion.objects.select_related("product", "category").order_by(
            "-is_active", "-starts_on", "name"
        )

    def get_summary(self, queryset):
        return _(
            "Each order line gets its best running promotion, plus those that stack. Orders "
            "already confirmed keep their prices."
        )


class PromotionEditView(RuleEditView):
    permission_required = "orders.change_promotion"
    model = Promotion
    form_class = PromotionForm
    title = gettext_lazy("Edit promotion")
    list_url_name = "orders:promotion_list"
    activate_url_name = "orders:promotion_activate"
    deactivate_url_name = "orders:promotion_deactivate"
    deactivate_warning = gettext_lazy(
        "New and changed orders no longer get this promotion; confirmed orders keep their prices."
    )

    def get_extra_context(self):
        return {**super().get_extra_context(), "sku_options": True}

    def save(self, form):
        return services.promotion_save(
            actor=self.request.user, promotion=self.object, data=form.cleaned_data
        )


class PromotionCreateView(PromotionEditView):
    permission_required = "orders.add_promotion"
    title = gettext_lazy("New promotion")


class PromotionActivateView(RuleSetActiveView):
    permission_required = "orders.change_promotion"
    model = Promotion

    def set_active(self, obj, active):
        services.promotion_set_active(actor=self.request.user, promotion=obj, active=active)


class PromotionDeactivateView(PromotionActivateView):
    active = False


# ---------------------------------------------------------------- shipping fee rules


class ShippingRuleListView(ObjectListView):
    permission_required = "orders.view_shippingrule"
    filterset_class = ShippingRuleFilterSet
    table_class = ShippingRuleTable
    title = gettext_lazy("Shipping fees")
    export_name = "shipping-fees"
    actions = [
        (
            gettext_lazy("New shipping fee rule"),
            "orders:shipping_rule_create",
            "orders.add_shippingrule",
            "plus-lg",
        )
    ]

    def get_queryset(self):
        return ShippingRule.objects.order_by("-is_active", "region", "max_weight_kg", "pk")

    def get_summary(self, queryset):
        return _(
            "An order pays the fee of the most specific active rule: its own region before "
            "every region, then the lightest weight band that fits."
        )


class ShippingRuleEditView(RuleEditView):
    permission_required = "orders.change_shippingrule"
    model = ShippingRule
    form_class = ShippingRuleForm
    title = gettext_lazy("Edit shipping fee rule")
    list_url_name = "orders:shipping_rule_list"
    activate_url_name = "orders:shipping_rule_activate"
    deactivate_url_name = "orders:shipping_rule_deactivate"
    deactivate_warning = gettext_lazy(
        "New and changed orders no longer use this fee; confirmed orders keep theirs."
    )

    def save(self, form):
        return services.shipping_rule_save(
            actor=self.request.user, rule=self.object, data=form.cleaned_data
        )


class ShippingRuleCreateView(ShippingRuleEditView):
    permission_required = "orders.add_shippingrule"
    title = gettext_lazy("New shipping fee rule")


class ShippingRuleActivateView(RuleSetActiveView):
    permission_required = "orders.change_shippingrule"
    model = ShippingRule

    def set_active(self, obj, active):
        services.shipping_rule_set_active(actor=self.request.user, rule=obj, active=active)


class ShippingRuleDeactivateView(ShippingRuleActivateView):
    active = False


# ---------------------------------------------------------------- approval rules


class ApprovalRuleListView(ObjectListView):
    permission_required = "orders.view_approvalrule"
    filterset_class = ApprovalRuleFilterSet
    table_class = ApprovalRuleTable
    title = gettext_lazy("Approval rules")
    export_name = "approval-rules"
    actions = [
        (
            gettext_lazy("New rule"),
            "orders:approval_rule_create",
            "orders.add_approvalrule",
            "plus-lg",
        )
    ]

    def get_queryset(self):
        return ApprovalRule.objects.all()

    def get_summary(self, queryset):
        return _(
            "Submitted orders that meet a rule wait for the role it names; lower levels decide first."
        )


class ApprovalRuleEditView(RuleEditView):
    permission_required = "orders.change_approvalrule"
    model = ApprovalRule
    form_class = ApprovalRuleForm
    title = gettext_lazy("Edit approval rule")
    list_url_name = "orders:approval_rule_list"
    activate_url_name = "orders:approval_rule_activate"
    deactivate_url_name = "orders:approval_rule_deactivate"
    deactivate_warning = gettext_lazy(
        "Orders submitted from now on no longer need this approval; orders already waiting keep "
        "theirs."
    )

    def save(self, form):
        return services.approval_rule_save(
            actor=self.request.user, rule=self.object, data=form.cleaned_data
        )


class ApprovalRuleCreateView(ApprovalRuleEditView):
    permission_required = "orders.add_approvalrule"
    title = gettext_lazy("New approval rule")


class ApprovalRuleActivateView(RuleSetActiveView):
    permission_required = "orders.change_approvalrule"
    model = ApprovalRule

    def set_active(self, obj, active):
        services.approval_rule_set_active(actor=self.request.user, rule=obj, active=active)


class ApprovalRuleDeactivateView(ApprovalRuleActivateView):
    active = False
