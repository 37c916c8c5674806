"""Inventory's models, one module per concern; every model is importable from here."""

from inventory.models.catalogue import Category, Product, TaxClass, TaxRate
from inventory.models.forecast import DemandForecast
from inventory.models.production import (
    ComponentReservation,
    ProductComponent,
    WorkOrderComponent,
    WorkOrderFile,
)
from inventory.models.stock import StockLevel, StockMovement, Warehouse, WorkOrder
from inventory.models.stocktake import StockCount, StockCountLine

__all__ = [
    "Category",
    "ComponentReservation",
    "DemandForecast",
    "Product",
    "ProductComponent",
    "StockCount",
    "StockCountLine",
    "StockLevel",
    "StockMovement",
    "TaxClass",
    "TaxRate",
    "Warehouse",
    "WorkOrder",
    "WorkOrderComponent",
    "WorkOrderFile",
]
