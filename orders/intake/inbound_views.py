"""Back-office pages of inbound deliveries: the list, one delivery with its payload and a
"process again" button, and the queue of platform SKUs waiting to be mapped to products."""

import json

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Func, Max
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from inventory.models import Product
from oms.filters import SearchFilterSet
from oms.generic import ObjectActionView, ObjectDetailView, ObjectListView, RequirePermissionMixin
from oms.tables import BaseTable, DateTimeColumn
from orders.intake import inbound as services
from orders.intake.channels import channel_choices
from orders.intake.inbound_errors import delivery_error_text
from orders.intake.inbound_models import (
    DeliveryKind,
    DeliveryStatus,
    InboundDelivery,
    InboundError,
)
from orders.intake.models import Channel

STATUS_BADGES = {
    DeliveryStatus.RECEIVED: "text-bg-info",
    DeliveryStatus.PROCESSED: "text-bg-success",
    DeliveryStatus.FAILED: "text-bg-danger",
    DeliveryStatus.WAITING_FOR_MAPPING: "text-bg-warning",
}


class DeliveryFilterSet(SearchFilterSet):
    search_fields = ("delivery_id", "external_id")
    channel = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Channel"), field_name="channel__code", choices=channel_choices
    )
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Status"), choices=DeliveryStatus.choices
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=DeliveryKind.choices)
    error_code = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Error"), choices=InboundError.choices
    )

    class Meta:
        model = InboundDelivery
        fields = ["q", "channel", "status", "kind", "error_code"]


class StatusColumn(tables.Column):
    def render(self, value, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            STATUS_BADGES.get(record.status, "text-bg-secondary"),
            record.get_status_display(),
        )

    def value(self, record, value):
        return record.get_status_display()


class DeliveryTable(BaseTable):
    received_at = DateTimeColumn(
        verbose_name=pgettext_lazy("inbound delivery", "Received at"), linkify=True
    )
    channel = tables.Column(verbose_name=gettext_lazy("Channel"))
    kind = tables.Column(verbose_name=gettext_lazy("Kind"))
    external_id = tables.Column(
        verbose_name=gettext_lazy("Order id on the platform"),
        attrs={"td": {"class": "font-monospace text-nowrap"}},
    )
    status = StatusColumn(verbose_name=gettext_lazy("Status"))
    error_code = tables.Column(
        verbose_name=gettext_lazy("Error or note"),
        empty_values=(),
        attrs={"td": {"class": "small text-break"}},
        orderable=False,
    )
    order = tables.Column(
        verbose_name=gettext_lazy("Order"),
        linkify=lambda record: reverse("orders:detail", args=[record.order.number]),
        attrs={"td": {"class": "text-nowrap"}},
    )

    class Meta(BaseTable.Meta):
        model = InboundDelivery
        fields = ("received_at", "channel", "kind", "external_id", "status", "error_code", "order")
        empty_text = gettext_lazy("No deliveries match these filters.")

    def render_error_code(self, record):
        text = delivery_error_text(record)
        if len(text) <= 160:
            return text or "—"
        return format_html('<span title="{}">{}…</span>', text, text[:160])

    def value_error_code(self, record):
        return delivery_error_text(record)


class DeliveryListView(ObjectListView):
    permission_required = "orders.view_inbounddelivery"
    filterset_class = DeliveryFilterSet
    table_class = DeliveryTable
    title = gettext_lazy("Inbound deliveries")
    export_name = "inbound-deliveries"
    actions = [
        (
            gettext_lazy("Unmapped SKUs"),
            "orders:unmapped_skus",
            "orders.add_skumapping",
            "link-45deg",
        )
    ]

    def get_queryset(self):
        return InboundDelivery.objects.select_related("channel", "order").order_by(
            "-received_at", "-pk"
        )

    def get_summary(self, queryset):
        return _(
            "What shops and marketplaces sent: webhooks and pulled orders, each stored once "
            "and turned into an order by a worker. An order with a platform SKU no product "
            "answers to waits for its mapping."
        )


class DeliveryDetailView(ObjectDetailView):
    permission_required = "orders.view_inbounddelivery"
    template_name = "orders/inbound_detail.html"

    @staticmethod
    def lookup(pk):
        return InboundDelivery.objects.select_related("channel", "order").filter(pk=pk).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delivery = self.object
        context["payload"] = json.dumps(delivery.payload, ensure_ascii=False, indent=2)
        context["badge"] = STATUS_BADGES.get(delivery.status, "text-bg-secondary")
        context["already_taken"] = delivery.error_code == InboundError.DUPLICATE
        context["error_text"] = "" if context["already_taken"] else delivery_error_text(delivery)
        context["can_retry"] = delivery.status != DeliveryStatus.PROCESSED and (
            self.request.user.has_perm("orders.change_inbounddelivery")
        )
        context["can_map"] = bool(delivery.unmapped_skus) and self.request.user.has_perm(
            "orders.add_skumapping"
        )
        return context


class DeliveryRetryView(ObjectActionView):
    permission_required = "orders.change_inbounddelivery"

    def perform(self, request, **kwargs):
        delivery = self._delivery(kwargs["pk"])
        services.delivery_retry(actor=request.user, delivery=delivery)
        return _("The delivery is queued to be processed again.")

    @staticmethod
    def _delivery(pk):
        from django.http import Http404

        delivery = InboundDelivery.objects.filter(pk=pk).first()
        if delivery is None:
            raise Http404
        return delivery

    def get_redirect_url(self, request, **kwargs):
        return self._delivery(kwargs["pk"]).get_absolute_url()


class Unnest(Func):
    function = "unnest"


def unmapped_rows() -> list[dict]:
    """(channel, platform SKU) pairs that deliveries wait for, with how many wait."""
    rows = (
        InboundDelivery.objects.filter(status=DeliveryStatus.WAITING_FOR_MAPPING)
        .annotate(sku=Unnest("unmapped_skus"))
        .values("channel_id", "sku")
        .annotate(waiting=Count("pk"), last=Max("received_at"))
        .order_by("-waiting", "channel_id", "sku")
    )
    channels = {c.pk: c for c in Channel.objects.filter(pk__in={r["channel_id"] for r in rows})}
    return [
        dict(row, channel=channels[row["channel_id"]], code=channels[row["channel_id"]].code)
        for row in rows
    ]


class UnmappedSkuView(RequirePermissionMixin, View):
    """The platform SKUs orders wait for, each with a form that maps it to a product; mapping
    sends the waiting deliveries back to the worker."""

    permission_required = "orders.add_skumapping"

    def get(self, request, error_key: str = "", error: str = "", value: str = ""):
        rows = unmapped_rows()
        for row in rows:
            row["key"] = f"{row['code']}|{row['sku']}"
            row["error"] = error if row["key"] == error_key else ""
            row["value"] = value if row["error"] else ""
        if error and not any(row["error"] for row in rows):
            messages.error(request, error)  # a SKU no order waits for (any more)
        return render(
            request,
            "orders/unmapped_skus.html",
            {
                "rows": rows,
                "list_url": reverse("orders:inbound_list"),
                "products": Product.objects.filter(is_active=True)
                .order_by("sku")
                .values_list("sku", "name")[:1000],
            },
            status=400 if error else 200,
        )

    def post(self, request):
        channel = Channel.objects.filter(code=request.POST.get("channel", "")).first()
        platform_sku = request.POST.get("platform_sku", "").strip()
        key = f"{channel.code if channel else ''}|{platform_sku}"
        sku = request.POST.get("product", "").strip()
        product = Product.objects.filter(sku=sku).first() if sku else None
        if channel is None:
            return self.get(request, key, _("There is no such channel."))
        if product is None:
            return self.get(
                request, key, _("There is no product with SKU %(sku)s.") % {"sku": sku}, sku
            )
        try:
            services.sku_map(
                actor=request.user, channel=channel, platform_sku=platform_sku, product=product
            )
        except ValidationError as exc:
            return self.get(request, key, " ".join(exc.messages), sku)
        messages.success(
            request,
            _("%(platform_sku)s of %(channel)s is %(sku)s now; its orders are processed again.")
            % {"platform_sku": platform_sku, "channel": channel, "sku": product.sku},
        )
        return HttpResponseRedirect(reverse("orders:unmapped_skus"))
