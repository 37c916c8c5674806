import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.models import Warehouse
from oms.filters import SearchFilterSet, date_from_filter, date_until_filter
from oms.forms import date_input
from oms.regions import REGION_CHOICES
from shipping import selectors
from shipping.attention import REASON_LABELS
from shipping.choices import ServiceLevel, ShipmentStatus
from shipping.delivery_filters import slot_time_choices, with_booked_slot
from shipping.models import DESTINATION_CHOICES, Carrier, Rate, Shipment


class ShipmentFilterSet(SearchFilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ShipmentStatus.choices)
    warehouse = django_filters.ModelChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all()
    )
    carrier = django_filters.ChoiceFilter(label=_("Carrier"), choices=[], method="by_carrier")
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="by_overdue")
    slot_date = django_filters.DateFilter(
        label=_("Delivery slot date"), method="by_slot", widget=date_input()
    )
    slot = django_filters.ChoiceFilter(label=_("Delivery slot"), choices=[], method="by_slot")
    pickup = django_filters.BooleanFilter(label=_("Store pickup"), method="by_pickup")
    created_after = date_from_filter(_("Created from"))
    created_before = date_until_filter(_("Created until"))

    class Meta:
        model = Shipment
        fields = [
            "q",
            "status",
            "warehouse",
            "carrier",
            "overdue",
            "slot_date",
            "slot",
            "pickup",
            "created_after",
            "created_before",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["carrier"].extra["choices"] = [(c, c) for c in selectors.carriers()]
        self.filters["slot"].extra["choices"] = slot_time_choices()

    def search(self, queryset, name, value):
        """A shipment number or its start, a tracking number, or the order's number."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__istartswith=value)
            | Q(tracking_number__iexact=value)
            | Q(order__number__istartswith=value)
        )

    def by_carrier(self, queryset, name, value):
        return queryset.filter(carrier=value) if value else queryset

    def by_slot(self, queryset, name, value):
        """Both slot filters at once: the orders' booked slot at the shipment's warehouse."""
        data = self.form.cleaned_data
        day, starts = data.get("slot_date"), data.get("slot")
        if name == "slot" and data.get("slot_date"):
            return queryset  # the date filter applied both
        if day is None and not starts:
            return queryset
        return with_booked_slot(queryset, day=day, starts=starts or None)

    def by_pickup(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(pickup_point__isnull=not value)

    def by_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = selectors.overdue(queryset)
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class CarrierFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Carrier
        fields = ["q", "active"]


class RateFilterSet(SearchFilterSet):
    """A carrier's rate card rows by service, origin and destination."""

    search_fields = ("origin", "destination")
    carrier = django_filters.ModelChoiceFilter(
        label=_("Carrier"),
        field_name="service__carrier",
        queryset=Carrier.objects.all(),
        empty_label=_("Any carrier"),
    )

    service = django_filters.ChoiceFilter(
        label=_("Service"),
        field_name="service__level",
        choices=ServiceLevel.choices,
        empty_label=_("Any service"),
    )
    origin = django_filters.ChoiceFilter(
        label=_("Origin province"), choices=REGION_CHOICES, empty_label=_("Any origin")
    )
    destination = django_filters.ChoiceFilter(
        label=_("Destination province or zone"),
        choices=DESTINATION_CHOICES,
        empty_label=_("Any destination"),
    )

    class Meta:
        model = Rate
        fields = ["q", "carrier", "service", "origin", "destination"]


class AttentionFilterSet(SearchFilterSet):
    """The exceptions queue: why, where and with whom."""

    reason = django_filters.ChoiceFilter(
        label=_("Why"), choices=list(REASON_LABELS.items()), method="by_reason"
    )
    warehouse = django_filters.ModelChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all()
    )
    carrier = django_filters.ChoiceFilter(label=_("Carrier"), choices=[], method="by_carrier")

    class Meta:
        model = Shipment
        fields = ["q", "reason", "warehouse", "carrier"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["carrier"].extra["choices"] = [(c, c) for c in selectors.carriers()]

    def search(self, queryset, name, value):
        return ShipmentFilterSet.search(self, queryset, name, value)

    def by_reason(self, queryset, name, value):
        return queryset.filter(**{f"why_{value}": True}) if value in REASON_LABELS else queryset

    def by_carrier(self, queryset, name, value):
        return queryset.filter(carrier=value) if value else queryset
