"""The order, its lines, allocations, events and approvals."""

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.choices import PaymentTerms
from customers.models import Customer
from inventory.models import Product, StockLevel
from oms.paths import reverse_one
from oms.regions import REGION_CHOICES
from oms.roles import ROLE_CHOICES
from orders.choices import (
    ApprovalDecision,
    ChannelCode,
    EventKind,
    FulfilmentStatus,
    OrderStatus,
    PaymentStatus,
)
from orders.models.base import MONEY, ORDER_NUMBER_SEQUENCE
from orders.models.rules import ApprovalRule


class Order(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    # The channel's code is the column (to_field): summaries, exports and raw reports read
    # it without a join, and `channel_id` is the code ("back_office", "web_shop", ...).
    channel = models.ForeignKey(
        "orders.Channel",
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        to_field="code",
        db_column="channel",
        default=ChannelCode.BACK_OFFICE,
        related_name="orders",
    )
    external_reference = models.CharField(_("external reference"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    # What has left the warehouse, kept by shipping through orders.services.order_follow_shipments
    # so lists need no join; checked against the shipments when they change.
    fulfilment_status = models.CharField(
        _("fulfilment"),
        max_length=12,
        choices=FulfilmentStatus.choices,
        default=FulfilmentStatus.UNFULFILLED,
    )
    # What the customer has paid, kept by billing through orders.services (orders never reads
    # invoices); delivered and paid makes the order completed, whichever comes last.
    payment_status = models.CharField(
        _("payment"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.UNPAID,
    )
    # A partially shipped order whose undispatched remainder was cancelled: it goes on with
    # what was dispatched, and nothing more waits to ship.
    remainder_cancelled = models.BooleanField(_("remainder cancelled"), default=False)
    on_hold = models.BooleanField(_("on hold"), default=False)
    hold_reason = models.CharField(_("hold reason"), max_length=200, blank=True)
    needs_review = models.BooleanField(
        _("flag for review"),
        default=False,
        help_text=_("Send to the reviewers even if no other rule applies."),
    )
    payment_terms = models.CharField(
        _("payment terms"), max_length=10, choices=PaymentTerms.choices
    )
    # Addresses are copied at order time: later edits of the customer do not change the order.
    ship_recipient = models.CharField(_("recipient"), max_length=100)
    ship_phone = models.CharField(_("phone"), max_length=30)
    ship_region = models.CharField(_("province"), max_length=2, choices=REGION_CHOICES)
    ship_city = models.CharField(_("city"), max_length=60)
    ship_district = models.CharField(_("district"), max_length=60, blank=True)
    ship_street = models.CharField(_("street address"), max_length=200)
    ship_postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    ship_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    ship_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    billing_address = models.TextField(_("billing address"), blank=True)
    requested_delivery_date = models.DateField(_("requested delivery"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # For the warehouse and the courier (where to leave the parcel, which gate): printed on
    # the delivery papers, and the one thing the customer may change on the order's page.
    # `notes` stays staff's own.
    delivery_note = models.CharField(_("delivery note"), max_length=200, blank=True)
    prices_include_tax = models.BooleanField(_("prices include tax"), default=True)
    # A channel's order keeps the prices, discounts, tax rates and shipping fee the buyer was
    # charged on the channel: never re-priced from the price list, also not when amended.
    priced_as_sent = models.BooleanField(_("channel's prices kept"), default=False)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount_total = models.DecimalField(_("discounts"), default=0, **MONEY)
    tax_total = models.DecimalField(_("tax"), default=0, **MONEY)
    shipping_fee = models.DecimalField(_("shipping"), default=0, **MONEY)
    # The VAT on the shipping fee (included in tax_total) and its rate: the highest rate of the
    # order's lines (orders.pricing.shipping_tax_rate). Orders priced before it have 0.
    shipping_tax = models.DecimalField(_("shipping tax"), default=0, **MONEY)
    shipping_tax_rate = models.DecimalField(
        _("shipping tax rate"), max_digits=5, decimal_places=4, default=0
    )
    total = models.DecimalField(_("total"), default=0, **MONEY)
    total_weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=12, decimal_places=3, default=0
    )
    priority_score = models.IntegerField(_("priority"), default=0)
    priority_reasons = models.JSONField(_("priority reasons"), default=list, blank=True)
    priority_boost = models.SmallIntegerField(_("manual boost"), default=0)
    review_round = models.PositiveSmallIntegerField(default=0)
    picking_started_at = models.DateTimeField(_("picking started"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who last changed the lines or details (draft editor, amendment): with created_by, the
    # people who may not approve the order (separation of duties, OMS_ALLOW_SELF_APPROVAL).
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Taken when the order is made in memory, not when its row goes in: order_place writes the
    # row last (orders.held_writes), after the order was confirmed.
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The secret in the customer's order-page link (/track/<token>/): made when the link is
    # first needed (orders.services.order_public_token), so millions of old orders need no
    # backfill; staff regenerate it (the old link stops working) or revoke it (null).
    public_token = models.CharField(
        _("customer link token"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    # After-sales sends goods again at no charge (an exchange, a repaired item) as an order of
    # its own that points at the order the goods were first bought on.
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacements",
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        permissions = [
            ("approve_order", _("Can approve or reject orders")),
            ("cancel_order", _("Can cancel orders")),
            ("hold_order", _("Can put orders on hold")),
            ("amend_order", _("Can amend confirmed orders")),
            ("boost_order", _("Can change an order's priority")),
            ("start_picking", _("Can start picking orders")),
            ("manage_customer_link", _("Can share, regenerate and revoke customer links")),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="order_status_newest"),
            models.Index(fields=["customer", "-id"], name="order_customer_newest"),
            models.Index(fields=["created_at"], name="order_created"),
            # A channel reads its orders changed since a cursor (the API's change feed).
            models.Index(fields=["channel", "updated_at", "id"], name="order_channel_changes"),
            models.Index(
                fields=["-priority_score", "id"],
                name="order_open_by_priority",
                condition=Q(
                    status__in=[
                        "confirmed",
                        "backordered",
                        "in_production",
                        "allocated",
                        "picking",
                        "partially_shipped",
                    ]
                ),
            ),
            models.Index(
                OpClass(Upper("number"), name="varchar_pattern_ops"), name="order_number_prefix"
            ),
            models.Index(ORDER_NUMBER_SEQUENCE, name="order_number_sequence"),
            # External references (PO-AUDIT-1, DEMO-01944) found by case-insensitive prefix.
            models.Index(
                OpClass(Upper("external_reference"), name="text_pattern_ops"),
                name="order_external_ref_prefix",
            ),
        ]
        constraints = [
            # Idempotency never crosses customers: a back-office reference (the customer's PO
            # number) is unique per customer, a channel's order id per channel.
            models.UniqueConstraint(
                fields=["channel", "external_reference"],
                condition=~Q(external_reference="") & ~Q(channel="back_office"),
                name="one_order_per_channel_reference",
            ),
            models.UniqueConstraint(
                fields=["customer", "external_reference"],
                condition=~Q(external_reference="") & Q(channel="back_office"),
                name="one_back_office_order_per_customer_reference",
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0, tax_total__gte=0, shipping_fee__gte=0, total__gte=0),
                name="order_amounts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse_one("orders:detail", self.number)

    @property
    def is_open(self) -> bool:
        from orders.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    @property
    def expects_allocation(self) -> bool:
        """Past review and not cancelled: its lines should show where their stock is."""
        return self.status not in (
            OrderStatus.DRAFT,
            OrderStatus.PENDING_REVIEW,
            OrderStatus.CANCELLED,
        )

    def ship_one_line(self) -> str:
        from oms.regions import region_label

        parts = [
            region_label(self.ship_region),
            self.ship_city,
            self.ship_district,
            self.ship_street,
        ]
        return " ".join(p for p in parts if p)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=250)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount_percent = models.DecimalField(
        _("discount %"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    promotion_discount = models.DecimalField(_("promotion discount"), default=0, **MONEY)
    promotions = models.JSONField(_("promotions"), default=list, blank=True)
    net_amount = models.DecimalField(_("net amount"), default=0, **MONEY)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4, default=0)
    tax_amount = models.DecimalField(_("tax"), default=0, **MONEY)
    line_total = models.DecimalField(_("line total"), default=0, **MONEY)
    made_to_order = models.BooleanField(_("made to order"), default=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="one_line_number_per_order"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                name="line_discount_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no} {self.quantity} × {self.product_id}"


class Allocation(models.Model):
    """Stock reserved for a line in one warehouse; StockLevel.reserved is the sum of the open
    ones. Dispatch issues the goods: the row is kept, marked issued, and no longer reserves."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    stock_level = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    # Issued goods that came back and were booked in again: the line owes them once more.
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "stock_level"],
                condition=Q(issued_at__isnull=True),
                name="one_open_allocation_per_line_and_place",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="allocation_quantity_positive"
            ),
        ]
        indexes = [models.Index(fields=["stock_level"], name="allocation_stock_level")]

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.line_id} @ {self.stock_level_id}"


class OrderEvent(models.Model):
    """The order's timeline: every change, who made it and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=OrderStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=OrderStatus.choices, blank=True)
    # What the system says, as a code with parameters worded for each reader (orders/notes.py);
    # `note` is what a person typed, or the text of rows written before notes had codes.
    message = models.JSONField(_("message"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["id"]
        indexes = [models.Index(fields=["order", "id"], name="event_order_timeline")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class Approval(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="approvals")
    rule = models.ForeignKey(
        ApprovalRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why the approval is needed, as codes with parameters worded in the reader's language
    # (orders/reasons.py). `reason` keeps the text of older rows that could not be converted.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    round = models.PositiveSmallIntegerField(_("review round"))
    level = models.PositiveSmallIntegerField(_("level"))
    required_role = models.CharField(_("approved by"), max_length=20, choices=ROLE_CHOICES)
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=ApprovalDecision.choices,
        default=ApprovalDecision.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["round", "level", "id"]
        constraints = [
            # One person decides at most one approval of an order in each review round.
            models.UniqueConstraint(
                fields=["order", "round", "decided_by"],
                condition=Q(decided_by__isnull=False),
                name="one_decision_per_person_per_round",
            ),
            models.UniqueConstraint(
                fields=["order", "round", "level", "required_role"],
                name="one_approval_per_role_and_level",
            ),
        ]
        indexes = [
            models.Index(
                fields=["required_role", "level"],
                name="approval_pending_queue",
                condition=Q(decision="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.required_role} L{self.level}: {self.decision}"

    def reason_text(self) -> str:
        """The reasons in the current language (older rows: the text they were stored with)."""
        from orders.reasons import reasons_text

        return reasons_text(self.reasons, fallback=self.reason)
