from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("shipment status", "Pending")
    PICKING = "picking", pgettext_lazy("shipment status", "Picking")
    PACKED = "packed", pgettext_lazy("shipment status", "Packed")
    READY_FOR_PICKUP = "ready_for_pickup", pgettext_lazy("shipment status", "Ready for pickup")
    DISPATCHED = "dispatched", pgettext_lazy("shipment status", "Dispatched")
    IN_TRANSIT = "in_transit", pgettext_lazy("shipment status", "In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", pgettext_lazy("shipment status", "Out for delivery")
    DELIVERED = "delivered", pgettext_lazy("shipment status", "Delivered")
    EXCEPTION = "exception", pgettext_lazy("shipment status", "Exception")
    RETURNED = "returned", pgettext_lazy("shipment status", "Returned")
    CANCELLED = "cancelled", pgettext_lazy("shipment status", "Cancelled")


S = ShipmentStatus

# The one table of allowed status changes. Only shipping.services.shipment_transition()
# applies it; shipping.permissions reads it to decide which buttons a user is offered.
SHIPMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PICKING, S.CANCELLED}),
    S.PICKING: frozenset({S.PACKED, S.CANCELLED}),
    # Dispatch issues the stock (shipping.services.shipment_dispatch).
    S.PACKED: frozenset({S.DISPATCHED, S.READY_FOR_PICKUP, S.CANCELLED}),
    # Store pickup: packed and waiting at the pickup point; the customer's code at the desk
    # hands it over (stock issued as at a dispatch): delivered.
    S.READY_FOR_PICKUP: frozenset({S.DELIVERED, S.CANCELLED}),
    # With the carrier: the carrier's news (tracking, or staff typing it in) moves it on.
    S.DISPATCHED: frozenset(
        {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION, S.RETURNED}
    ),
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION, S.RETURNED}),
    S.OUT_FOR_DELIVERY: frozenset({S.IN_TRANSIT, S.DELIVERED, S.EXCEPTION, S.RETURNED}),
    S.EXCEPTION: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNED}),
    # Terminal: a late carrier event never moves these back.
    S.DELIVERED: frozenset(),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Still in the warehouse: its goods are reserved, not yet issued; cancelling voids it.
UNDISPATCHED_STATUSES = frozenset({S.PENDING, S.PICKING, S.PACKED, S.READY_FOR_PICKUP})
# Being picked or packed (or packed and waiting for its customer at a pickup point).
PICKING_STATUSES = frozenset({S.PICKING, S.PACKED, S.READY_FOR_PICKUP})
# Moving with the carrier (for the order: in transit).
MOVING_STATUSES = frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.EXCEPTION})
# Handed to the carrier, whatever happened since.
DISPATCHED_STATUSES = frozenset({S.DISPATCHED, S.DELIVERED, S.RETURNED}) | MOVING_STATUSES
# What a carrier (or staff typing in its news) reports once the parcel has left.
CARRIER_STATUSES = frozenset(MOVING_STATUSES | {S.DELIVERED, S.RETURNED})
# Still expected somewhere: a shipment in these past its expected date is overdue.
OVERDUE_STATUSES = UNDISPATCHED_STATUSES | {S.DISPATCHED} | MOVING_STATUSES


class ServiceLevel(models.TextChoices):
    EXPRESS = "express", pgettext_lazy("service level", "Express")
    STANDARD = "standard", pgettext_lazy("service level", "Standard")
    ECONOMY = "economy", pgettext_lazy("service level", "Economy")
    FREIGHT = "freight", pgettext_lazy("service level", "Freight")


class ShipmentEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("shipment event", "Created")
    STATUS = "status", _("Status changed")
    CARRIER = "carrier", _("Carrier chosen")
    MERGED = "merged", _("Merged")
    UNMERGED = "unmerged", _("Unmerged")
    SPLIT = "split", pgettext_lazy("shipment event", "Split")
    # The logistics desk's work on a parcel that needs attention (shipping/attention.py).
    CONTACT = "contact", _("Contact recorded")
    REDISPATCHED = "redispatched", _("Handed to a carrier again")
    # A returned parcel (shipping/returns.py): booked back in, then sent again or closed.
    RECEIVED = "received", _("Booked back in")
    RESHIPPED = "reshipped", _("Goods sent again")
    CLOSED = "closed", pgettext_lazy("returned parcel", "Not sent again")


class ReturnResolution(models.TextChoices):
    """What became of a returned parcel booked back in."""

    WAITING = "waiting", pgettext_lazy("return resolution", "Waiting for a decision")
    RESHIPPED = "reshipped", pgettext_lazy("return resolution", "Sent again")
    CLOSED = "closed", pgettext_lazy("return resolution", "Not sent again")


class TrackingKind(models.TextChoices):
    """How a carrier's tracking reaches us (the tracking integration comes later)."""

    MANUAL = "manual", pgettext_lazy("tracking kind", "Typed in by staff")
    KUAIDI100 = "kuaidi100", pgettext_lazy("tracking kind", "Kuaidi100-style API")
    WEBHOOK = "webhook", pgettext_lazy("tracking kind", "JSON webhook")


# The badge tone of each status (UI.md): waiting light indigo, picking indigo, shipped and on
# the way teal, delivered green, held up orange, returned amber, cancelled red.
SHIPMENT_STATUS_TONES: dict[str, str] = {
    S.PENDING: "indigo-light",
    S.PICKING: "indigo",
    S.PACKED: "cyan",
    S.READY_FOR_PICKUP: "cyan",
    S.DISPATCHED: "teal",
    S.IN_TRANSIT: "teal",
    S.OUT_FOR_DELIVERY: "teal-light",
    S.DELIVERED: "green",
    S.EXCEPTION: "orange",
    S.RETURNED: "amber",
    S.CANCELLED: "red",
}
