"""Shipping's models, one module per concern; import them from here."""

from shipping.models.base import MONEY
from shipping.models.carriers import (
    DESTINATION_CHOICES,
    Carrier,
    CarrierService,
    Rate,
    destination_keys,
)
from shipping.models.shipments import (
    SHIPMENT_NUMBER_SEQUENCE,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
)
from shipping.models.tracking import ReceivedCallback, TrackingEvent

__all__ = [
    "DESTINATION_CHOICES",
    "MONEY",
    "SHIPMENT_NUMBER_SEQUENCE",
    "Carrier",
    "CarrierService",
    "Rate",
    "ReceivedCallback",
    "Shipment",
    "ShipmentEvent",
    "ShipmentLine",
    "TrackingEvent",
    "destination_keys",
]
