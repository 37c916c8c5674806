"""Shipping's models, one module per concern; import them from here."""

from shipping.models.base import MONEY
from shipping.models.carriers import (
    DESTINATION_CHOICES,
    Carrier,
    CarrierService,
    Rate,
    destination_keys,
)
from shipping.models.merging import (
    MERGED_PARCEL_NUMBER_SEQUENCE,
    MergedParcel,
    MergedParcelStatus,
)
from shipping.models.packing import PackSession
from shipping.models.pickup import (
    OrderPickup,
    PickupAttempt,
    PickupCode,
    PickupPoint,
    PickupPointKind,
)
from shipping.models.returns import ReturnReceipt
from shipping.models.shipments import (
    SHIPMENT_NUMBER_SEQUENCE,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
)
from shipping.models.slots import (
    WEEKDAYS,
    DeliveryDay,
    DeliverySlot,
    SlotBooking,
    SlotPattern,
    slot_label,
)
from shipping.models.tracking import ReceivedCallback, TrackingEvent

__all__ = [
    "DESTINATION_CHOICES",
    "MERGED_PARCEL_NUMBER_SEQUENCE",
    "MONEY",
    "SHIPMENT_NUMBER_SEQUENCE",
    "WEEKDAYS",
    "Carrier",
    "CarrierService",
    "DeliveryDay",
    "DeliverySlot",
    "MergedParcel",
    "MergedParcelStatus",
    "OrderPickup",
    "PackSession",
    "PickupAttempt",
    "PickupCode",
    "PickupPoint",
    "PickupPointKind",
    "Rate",
    "ReceivedCallback",
    "ReturnReceipt",
    "Shipment",
    "ShipmentEvent",
    "ShipmentLine",
    "SlotBooking",
    "SlotPattern",
    "TrackingEvent",
    "destination_keys",
    "slot_label",
]
