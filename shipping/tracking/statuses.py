"""The normalised tracking statuses every adapter maps its carrier's codes to, and what each
one means for the shipment."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shipping.choices import ShipmentStatus

S = ShipmentStatus


class TrackingStatus(models.TextChoices):
    """Stored next to the carrier's raw code; the labels are the plain words pages show."""

    PENDING = "pending", pgettext_lazy("tracking status", "Waiting for the carrier's news")
    INFO_RECEIVED = "info_received", pgettext_lazy("tracking status", "Carrier has the order")
    IN_TRANSIT = "in_transit", pgettext_lazy("tracking status", "On the way")
    OUT_FOR_DELIVERY = "out_for_delivery", pgettext_lazy("tracking status", "Out for delivery")
    AVAILABLE_FOR_PICKUP = (
        "available_for_pickup",
        pgettext_lazy("tracking status", "Ready for pickup (locker or station)"),
    )
    DELIVERED = "delivered", pgettext_lazy("tracking status", "Delivered")
    FAILED_ATTEMPT = "failed_attempt", pgettext_lazy("tracking status", "Delivery attempt failed")
    EXCEPTION = "exception", pgettext_lazy("tracking status", "Problem on the way")
    RETURNING = "returning", pgettext_lazy("tracking status", "On its way back")
    RETURNED = "returned", pgettext_lazy("tracking status", "Returned to the sender")
    CANCELLED = "cancelled", pgettext_lazy("tracking status", "Cancelled by the carrier")
    EXPIRED = "expired", pgettext_lazy("tracking status", "No longer tracked")


T = TrackingStatus

# What an event moves the shipment to (None: nothing, the parcel has not moved yet). A
# failed attempt, a waybill the carrier cancelled or a parcel no longer tracked need someone to
# look: the shipment shows an exception. Refused (Kuaidi100 14) and returning parcels go to
# returned, as the warehouse books them in when they arrive.
SHIPMENT_STATUS_OF: dict[str, str | None] = {
    T.PENDING: None,
    T.INFO_RECEIVED: None,
    T.IN_TRANSIT: S.IN_TRANSIT,
    T.OUT_FOR_DELIVERY: S.OUT_FOR_DELIVERY,
    T.AVAILABLE_FOR_PICKUP: S.OUT_FOR_DELIVERY,
    T.DELIVERED: S.DELIVERED,
    T.FAILED_ATTEMPT: S.EXCEPTION,
    T.EXCEPTION: S.EXCEPTION,
    T.RETURNING: S.RETURNED,
    T.RETURNED: S.RETURNED,
    T.CANCELLED: S.EXCEPTION,
    T.EXPIRED: S.EXCEPTION,
}

# Badge tones (the shipment statuses' palette).
TRACKING_STATUS_TONES: dict[str, str] = {
    T.PENDING: "grey",
    T.INFO_RECEIVED: "indigo-light",
    T.IN_TRANSIT: "teal",
    T.OUT_FOR_DELIVERY: "teal-light",
    T.AVAILABLE_FOR_PICKUP: "teal-light",
    T.DELIVERED: "green",
    T.FAILED_ATTEMPT: "orange",
    T.EXCEPTION: "orange",
    T.RETURNING: "amber",
    T.RETURNED: "amber",
    T.CANCELLED: "red",
    T.EXPIRED: "grey",
}


class TrackingSource(models.TextChoices):
    POLL = "poll", pgettext_lazy("tracking source", "Poll")
    PUSH = "push", pgettext_lazy("tracking source", "Push")
    MANUAL = "manual", pgettext_lazy("tracking source", "Typed in")


class CallbackState(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("callback state", "Received")
    PROCESSED = "processed", pgettext_lazy("callback state", "Processed")
    FAILED = "failed", pgettext_lazy("callback state", "Failed")


class CallbackFailure(models.TextChoices):
    """Why a received push was not applied (the detail is stored beside it)."""

    BAD_PAYLOAD = "bad_payload", _("Not the carrier's JSON")
    UNKNOWN_TRACKING_NUMBER = "unknown_number", _("Unknown tracking number")
    ERROR = "error", _("Processing failed repeatedly")
