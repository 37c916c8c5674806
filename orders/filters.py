import re

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.choices import CustomerGroup
from inventory.models import Warehouse
from oms.filters import SearchFilterSet, date_from_filter, date_until_filter
from oms.regions import REGION_CHOICES
from orders.choices import (
    OPEN_STATUSES,
    ApprovalCondition,
    OrderStatus,
    PromotionKind,
    PromotionScope,
)
from orders.intake.channels import channel_choices
from orders.models import Allocation, ApprovalRule, Order, PriceList, Promotion, ShippingRule
from orders.selectors import order_reference_match

MAX_CUSTOMER_IDS = 1000
ORDER_NUMBER = re.compile(r"^SO-?\d", re.IGNORECASE)


class OrderFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=OrderStatus.choices)
    customer = django_filters.CharFilter(label=_("Customer code"), method="by_customer")
    channel = django_filters.MultipleChoiceFilter(label=_("Channel"), choices=channel_choices)
    created_after = date_from_filter(_("Created from"))
    created_before = date_until_filter(_("Created until"))
    warehouse = django_filters.ModelChoiceFilter(
        label=_("Allocated in warehouse"), queryset=Warehouse.objects.all(), method="by_warehouse"
    )
    total_min = django_filters.NumberFilter(
        label=_("Amount from"), field_name="total", lookup_expr="gte"
    )
    total_max = django_filters.NumberFilter(
        label=_("Amount up to"), field_name="total", lookup_expr="lte"
    )
    priority_min = django_filters.NumberFilter(
        label=_("Priority at least"), field_name="priority_score", lookup_expr="gte"
    )
    on_hold = django_filters.BooleanFilter(label=_("On hold"))

    class Meta:
        model = Order
        fields = [
            "q",
            "status",
            "customer",
            "channel",
            "created_after",
            "created_before",
            "warehouse",
            "total_min",
            "total_max",
            "priority_min",
            "on_hold",
        ]

    def search(self, queryset, name, value):
        """An order number (SO-2026-0001…) by prefix; otherwise an order's reference (external
        reference, number digits) or its customer's name, code or phone."""
        value = value.strip()
        if not value:
            return queryset
        if ORDER_NUMBER.match(value):
            return queryset.filter(number__istartswith=value)
        references = order_reference_match(value)
        from customers.models import Customer

        customers = Customer.objects.filter(
            Q(name__icontains=value) | Q(code__iexact=value) | Q(phone__contains=value)
        ).values_list("pk", flat=True)
        # A short list of ids lets the planner walk the (customer, -id) index per customer
        # instead of scanning the newest orders for rare matches.
        ids = list(customers[: MAX_CUSTOMER_IDS + 1])
        if len(ids) <= MAX_CUSTOMER_IDS:
            return queryset.filter(references | Q(customer_id__in=ids))
        return queryset.filter(references | Q(customer_id__in=customers))

    def by_customer(self, queryset, name, value):
        return queryset.filter(customer__code__iexact=value.strip()) if value.strip() else queryset

    def by_warehouse(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(
            Exists(
                Allocation.objects.filter(line__order=OuterRef("pk"), stock_level__warehouse=value)
            )
        )


class ApprovalRuleFilterSet(SearchFilterSet):
    search_fields = ("name",)
    condition = django_filters.ChoiceFilter(label=_("Condition"), choices=ApprovalCondition.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ApprovalRule
        fields = ["q", "condition", "is_active"]


class QueueFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=[(s.value, s.label) for s in OrderStatus if s in OPEN_STATUSES],
    )
    on_hold = django_filters.BooleanFilter(label=_("On hold"))

    class Meta:
        model = Order
        fields = ["q", "status", "on_hold"]

    search = OrderFilterSet.search


# ---------------------------------------------------------------- pricing rules


class PriceListFilterSet(SearchFilterSet):
    search_fields = ("name",)
    customer_group = django_filters.ChoiceFilter(
        label=_("Customer group"), choices=CustomerGroup.choices
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = PriceList
        fields = ["q", "customer_group", "is_active"]


class PromotionFilterSet(SearchFilterSet):
    search_fields = ("name", "product__sku", "category__name")
    state = django_filters.ChoiceFilter(
        label=_("Dates"),
        method="by_state",
        choices=[
            ("current", _("Running today")),
            ("upcoming", _("Starts later")),
            ("ended", _("Ended")),
        ],
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PromotionKind.choices)
    scope = django_filters.ChoiceFilter(label=_("Applies to"), choices=PromotionScope.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Promotion
        fields = ["q", "state", "kind", "scope", "is_active"]

    def by_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == "current":
            return queryset.filter(starts_on__lte=today, ends_on__gte=today)
        if value == "upcoming":
            return queryset.filter(starts_on__gt=today)
        if value == "ended":
            return queryset.filter(ends_on__lt=today)
        return queryset


class ShippingRuleFilterSet(SearchFilterSet):
    search_fields = ("name",)
    region = django_filters.ChoiceFilter(
        label=_("Region"),
        choices=[("all", _("Every region")), *REGION_CHOICES],
        method="by_region",
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = ShippingRule
        fields = ["q", "region", "is_active"]

    def by_region(self, queryset, name, value):
        # Rules for every region are stored with an empty region.
        return queryset.filter(region="" if value == "all" else value) if value else queryset
