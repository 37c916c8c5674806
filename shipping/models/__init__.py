"""Shipping's models, one module per concern; import them from here."""

from shipping.models.base import MONEY
from shipping.models.carriers import (
    DESTINATION_CHOICES,
    Carrier,
    CarrierService,
    Rate,
    destination_keys,
)
from shipping.models.returns import ReturnReceipt
from shipping.models.shipments import (
    SHIPMENT_NUMBER_SEQUENCE,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
)

__all__ = [
    "DESTINATION_CHOICES",
    "MONEY",
    "SHIPMENT_NUMBER_SEQUENCE",
    "Carrier",
    "CarrierService",
    "Rate",
    "ReturnReceipt",
    "Shipment",
    "ShipmentEvent",
    "ShipmentLine",
    "destination_keys",
]
