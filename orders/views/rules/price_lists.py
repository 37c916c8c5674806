"""Price lists: one active list per customer group, its prices with quantity breaks, the
line editor, CSV export and import, and switching a group over to another list."""

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
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectSetActiveView,
    RequirePermissionMixin,
    apply_validation_error,
    get_object_or_404,
    model_lookup,
)
from oms.tables import currency_symbol
from orders.filters import (
    PriceListFilterSet,
)
from orders.forms import (
    PriceBreaksForm,
    PriceImportForm,
    PriceListForm,
)
from orders.models import PriceList, PriceListItem
from orders.services import rules as services
from orders.tables import (
    PriceListTable,
    PriceRowTable,
)

PRICES_PER_PAGE = 50
PRICE_LIST = model_lookup(PriceList)


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
    for product in page:
        product.breaks = breaks.get(product.pk, [])
    if query:
        empty = _("No product in this list matches “%(query)s”.") % {"query": query}
    else:
        empty = _(
            "No prices yet: enter a SKU and its price above, or import them from a spreadsheet."
        )
    if editor is None:
        editor = PriceBreaksForm(initial={"min_quantity_0": 1})
    return {
        "price_list": price_list,
        "rows_table": PriceRowTable(list(page), empty_text=empty),
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

    model = PriceList

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

    model = PriceList
    service = staticmethod(services.price_list_save)
    service_object = "price_list"


class PriceListCreateView(PriceListEditView):
    permission_required = "orders.add_pricelist"
    title = gettext_lazy("New price list")

    list_url_name = "orders:price_list_list"

    def success_message(self, price_list):
        if price_list.is_active:
            return _("Created %(name)s: add its prices below.") % {"name": price_list.name}
        return _(
            "Created %(name)s as inactive: the group already has an active list. Add the prices, "
            "then activate it to switch over."
        ) % {"name": price_list.name}


class PriceListSetActiveView(ObjectSetActiveView):
    """Activating a list makes it its group's list (the one it replaces goes inactive);
    deactivating leaves the group without prices until a list is active again."""

    permission_required = "orders.change_pricelist"
    model = PriceList

    def perform(self, request, **kwargs):
        price_list = get_object_or_404(PRICE_LIST, kwargs["pk"])
        group = price_list.get_customer_group_display()
        if not self.active:
            services.price_list_deactivate(actor=request.user, price_list=price_list)
            return _(
                "%(name)s is inactive: orders of %(group)s customers cannot be priced until a "
                "list for the group is active again."
            ) % {"name": price_list.name, "group": group}
        replaced = services.price_list_activate(actor=request.user, price_list=price_list)
        message = _("%(name)s is now the price list for %(group)s customers.") % {
            "name": price_list.name,
            "group": group,
        }
        if replaced is not None:
            message += " " + _("%(name)s was deactivated.") % {"name": replaced.name}
        return message


class PriceListPricesView(RequirePermissionMixin, View):
    """The line editor of a price list: GET fills it with a product's breaks (?sku=…),
    POST sets them (action=save) or takes the product out of the list (action=remove).
    htmx swaps the prices block in place; without JavaScript the whole page comes back."""

    permission_required = "orders.change_pricelist"

    def dispatch(self, request, *args, **kwargs):
        self.price_list = get_object_or_404(PRICE_LIST, kwargs["pk"])
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

    model = PriceList

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
