"""Shipments: the goods of one order leaving one warehouse, their lines and their timeline."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from inventory.models import Product, Warehouse
from orders.models import Allocation, Order, OrderLine
from shipping.choices import ServiceLevel, ShipmentEventKind, ShipmentStatus
from shipping.models.base import MONEY
from shipping.models.carriers import CarrierService
from shipping.models.merging import MergedParcel

SHIPMENT_NUMBER_SEQUENCE = "shipping_shipment_number"


class Shipment(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.PENDING
    )
    # The carrier service chosen (by the rules or by staff); `carrier` keeps the carrier's
    # name as on its paperwork, so a shipment dispatched with a carrier not (yet) in the
    # carriers table still says who took it.
    carrier_service = models.ForeignKey(
        CarrierService,
        verbose_name=_("carrier service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    shipping_cost = models.DecimalField(
        _("shipping cost"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    # The carrier's cash-on-delivery fee inside shipping_cost, as quoted with it: margins count
    # it as a payment fee, not as freight (shipping.costs).
    cod_fee = models.DecimalField(
        _("COD fee quoted"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    service = models.CharField(
        _("service"), max_length=10, choices=ServiceLevel.choices, blank=True
    )
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    parcels = models.PositiveSmallIntegerField(_("parcels"), default=1)
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=9, decimal_places=3, null=True, blank=True
    )
    length_cm = models.DecimalField(
        _("length (cm)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    width_cm = models.DecimalField(
        _("width (cm)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    declared_value = models.DecimalField(_("declared value"), default=0, **MONEY)
    cod_amount = models.DecimalField(_("cash on delivery"), default=0, **MONEY)
    expected_delivery_date = models.DateField(_("expected delivery"), null=True, blank=True)
    # Collected by the customer at this point instead of delivered by a carrier.
    pickup_point = models.ForeignKey(
        "shipping.PickupPoint",
        verbose_name=_("pickup point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    # Leaves as one parcel with other orders' shipments (shipping.merging); cleared on unmerge.
    merged_parcel = models.ForeignKey(
        MergedParcel,
        verbose_name=_("merged parcel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    picking_started_at = models.DateTimeField(_("picking started"), null=True, blank=True)
    packed_at = models.DateTimeField(_("packed"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # Tracking: when the carrier was last asked about the parcel (the poll takes the oldest
    # first) and when it accepted our subscription to its pushes.
    tracking_checked_at = models.DateTimeField(_("tracking checked"), null=True, blank=True)
    tracking_subscribed_at = models.DateTimeField(_("tracking subscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-id"]
        permissions = [
            ("pick_shipment", _("Can pick shipments")),
            ("pack_shipment", _("Can pack shipments")),
            ("dispatch_shipment", _("Can dispatch shipments")),
            ("track_shipment", _("Can record carrier progress of shipments")),
            ("choose_carrier", _("Can choose the carrier of shipments")),
            ("receive_return", _("Can book returned parcels back in")),
            ("resolve_return", _("Can send returned goods again or close them")),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="shipment_status_newest"),
            models.Index(fields=["order", "id"], name="shipment_order"),
            models.Index(fields=["warehouse", "-id"], name="shipment_warehouse_newest"),
            models.Index(fields=["tracking_number"], name="shipment_tracking_number"),
            models.Index(
                F("tracking_checked_at").asc(nulls_first=True),
                "id",
                name="shipment_tracking_poll",
                condition=Q(status__in=["dispatched", "in_transit", "out_for_delivery"]),
            ),
            models.Index(
                fields=["expected_delivery_date"],
                name="shipment_expected_open",
                condition=~Q(status__in=["delivered", "returned", "cancelled"]),
            ),
        ]
        constraints = [
            # A carrier's tracking number names one parcel run; a voided shipment frees it. The
            # shipments of a merged parcel share the parcel's number, which MergedParcel keeps
            # unique; a shipment on its own and a parcel are kept apart by the dispatch check
            # (serialised per number: shipping.services.check_dispatch_details).
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"],
                condition=~Q(tracking_number="")
                & ~Q(status="cancelled")
                & Q(merged_parcel__isnull=True),
                name="one_parcel_per_tracking_number",
            ),
            models.CheckConstraint(
                condition=Q(declared_value__gte=0, cod_amount__gte=0, parcels__gte=1),
                name="shipment_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=(Q(weight_kg__isnull=True) | Q(weight_kg__gte=0))
                & (Q(length_cm__isnull=True) | Q(length_cm__gte=0))
                & (Q(width_cm__isnull=True) | Q(width_cm__gte=0))
                & (Q(height_cm__isnull=True) | Q(height_cm__gte=0)),
                name="shipment_measures_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("shipping:detail", args=[self.number])


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    # What was picked, for later traceability (complaints, recalls): free text, optional.
    lot = models.CharField(_("lot / batch"), max_length=60, blank=True)
    # The cost of goods: the warehouse's moving-average cost per unit, fixed in the dispatch
    # (or pickup handover) transaction; empty when the stock had no cost.
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    # The reservations behind the line: the open allocation it draws from until dispatch,
    # then the issued allocation rows that left with it.
    allocations = models.ManyToManyField(Allocation, related_name="+", blank=True)

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["shipment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "order_line"], name="one_shipment_line_per_order_line"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="shipment_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.quantity} × {self.product_id}"


class ShipmentEvent(models.Model):
    """The shipment's timeline: who moved it, when, from what to what, and why."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ShipmentEventKind.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=ShipmentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=ShipmentStatus.choices, blank=True)
    # What the person typed, as typed; facts (tracking number, parcels) go in data.
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")
        ordering = ["id"]
        indexes = [models.Index(fields=["shipment", "id"], name="shipment_event_timeline")]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind}"
