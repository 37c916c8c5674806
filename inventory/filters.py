import django_filters
from django.contrib.postgres.search import SearchQuery
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inventory.choices import MovementKind, StockCountStatus, WorkOrderStage
from inventory.models import (
    Category,
    DemandForecast,
    Product,
    StockCount,
    StockLevel,
    StockMovement,
    TaxClass,
    Warehouse,
    WorkOrder,
)
from oms.filters import SearchFilterSet, date_from_filter, date_until_filter
from oms.regions import REGION_CHOICES


class ProductFilterSet(SearchFilterSet):
    search_fields = ("sku", "name", "name_en", "model", "barcode")

    category = django_filters.ModelMultipleChoiceFilter(
        label=_("Category"), queryset=Category.objects.all()
    )
    tax_class = django_filters.ModelChoiceFilter(
        label=_("Tax class"), queryset=TaxClass.objects.all(), to_field_name="code"
    )
    made_to_order = django_filters.BooleanFilter(label=_("Made to order"))
    has_barcode = django_filters.BooleanFilter(label=_("Has a barcode"), method="by_has_barcode")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Product
        fields = ["q", "category", "tax_class", "made_to_order", "has_barcode", "is_active"]

    def by_has_barcode(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(barcode="") if value else queryset.filter(barcode="")


class WarehouseFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "city")

    region = django_filters.MultipleChoiceFilter(label=_("Region"), choices=REGION_CHOICES)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Warehouse
        fields = ["q", "region", "is_active"]


class StockLevelFilterSet(SearchFilterSet):
    search_fields = ("product__sku", "product__name", "product__name_en", "bin_location")

    warehouse = django_filters.ModelMultipleChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all()
    )
    category = django_filters.ModelMultipleChoiceFilter(
        label=_("Category"), field_name="product__category", queryset=Category.objects.all()
    )
    below_safety = django_filters.BooleanFilter(
        label=_("Below safety stock"), method="by_below_safety"
    )
    in_stock = django_filters.BooleanFilter(label=_("In stock"), method="by_in_stock")

    class Meta:
        model = StockLevel
        fields = ["q", "warehouse", "category", "below_safety", "in_stock"]

    def by_below_safety(self, queryset, name, value):
        if value is None:
            return queryset
        below = queryset.filter(available__lt=F("safety_stock"))
        return below if value else queryset.exclude(pk__in=below.values("pk"))

    def by_in_stock(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(on_hand__gt=0) if value else queryset.filter(on_hand=0)


class LowStockFilterSet(SearchFilterSet):
    search_fields = ("product__sku", "product__name", "product__name_en")

    warehouse = django_filters.ModelMultipleChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all()
    )

    class Meta:
        model = StockLevel
        fields = ["q", "warehouse"]


MAX_PRODUCT_IDS = 500


class StockMovementFilterSet(SearchFilterSet):
    """The ledger. Its search reads indexes only (no "contains" over millions of rows): a
    reference by its start (SO-2026-000123, TR-SH1-GZ1, a supplier's delivery note), the
    products whose SKU starts with the text or whose name holds it, and words of the note."""

    warehouse = django_filters.ModelMultipleChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all()
    )
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=MovementKind.choices)
    sku = django_filters.CharFilter(label=_("SKU"), method="by_sku")
    created_after = date_from_filter(_("From"))
    created_before = date_until_filter(_("To"))

    class Meta:
        model = StockMovement
        fields = ["q", "warehouse", "kind", "sku", "created_after", "created_before"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # movement_reference_prefix: UPPER(reference) text_pattern_ops serves this LIKE 'X%'.
        found = Q(reference__istartswith=value)
        # Products are few: find them first, then walk the (product, -id) index.
        products = Product.objects.filter(
            Q(sku__istartswith=value) | Q(name__icontains=value)
        ).values_list("pk", flat=True)
        ids = list(products[: MAX_PRODUCT_IDS + 1])
        if ids:
            found |= Q(product_id__in=ids if len(ids) <= MAX_PRODUCT_IDS else products)
        # movement_note_words: the GIN index over the note's words.
        found |= Q(note__search=SearchQuery(value, config="simple"))
        return queryset.filter(found)

    def by_sku(self, queryset, name, value):
        # Filter on the product id, not a join on the SKU: the planner then walks the
        # (product, -id) index even for a SKU with millions of ledger rows.
        product_id = (
            Product.objects.filter(sku__iexact=value.strip()).values_list("pk", flat=True).first()
        )
        return queryset.filter(product_id=product_id) if product_id else queryset.none()


class WorkOrderFilterSet(SearchFilterSet):
    search_fields = ("number", "reference", "product__sku", "product__name")

    stage = django_filters.MultipleChoiceFilter(label=_("Stage"), choices=WorkOrderStage.choices)
    warehouse = django_filters.ModelMultipleChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all()
    )

    class Meta:
        model = WorkOrder
        fields = ["q", "stage", "warehouse"]


class TaxClassFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = TaxClass
        fields = ["q", "is_active"]


class StockCountFilterSet(SearchFilterSet):
    search_fields = ("number", "note", "bin_from", "bin_to")

    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=StockCountStatus.choices
    )
    warehouse = django_filters.ModelMultipleChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all()
    )

    class Meta:
        model = StockCount
        fields = ["q", "status", "warehouse"]


class ReplenishmentFilterSet(SearchFilterSet):
    search_fields = ("product__sku", "product__name")

    warehouse = django_filters.ModelMultipleChoiceFilter(
        label=_("Warehouse"), queryset=Warehouse.objects.all()
    )
    category = django_filters.ModelMultipleChoiceFilter(
        label=_("Category"), field_name="product__category", queryset=Category.objects.all()
    )

    class Meta:
        model = DemandForecast
        fields = ["q", "warehouse", "category"]
