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
from shipping.models.shipments import (
    SHIPMENT_NUMBER_SEQUENCE,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
)

__all__ = [
    "DESTINATION_CHOICES",
    "MERGED_PARCEL_NUMBER_SEQUENCE",
    "MONEY",
    "SHIPMENT_NUMBER_SEQUENCE",
    "Carrier",
    "CarrierService",
    "MergedParcel",
    "MergedParcelStatus",
    "PackSession",
    "Rate",
    "Shipment",
    "ShipmentEvent",
    "ShipmentLine",
    "destination_keys",
]
