"""A shipment's printed documents: pick list, packing list, delivery note and shipping label.

Each is one template that serves both the on-screen print view and the PDF (oms.documents)."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oms.documents import barcode_svg, qr_svg
from shipping import selectors
from shipping.models import Shipment
from shipping.order_page import order_page_url


@dataclass(frozen=True)
class ShipmentDocument:
    kind: str  # the URL's name for it
    title: Promise
    template: str
    prefix: str  # of the document number printed on it


DOCUMENTS = {
    d.kind: d
    for d in [
        ShipmentDocument("pick-list", _("Pick list"), "shipping/documents/pick_list.html", "PK"),
        ShipmentDocument(
            "packing-list", _("Packing list"), "shipping/documents/packing_list.html", "PL"
        ),
        ShipmentDocument(
            "delivery-note", _("Delivery note"), "shipping/documents/delivery_note.html", "DN"
        ),
        ShipmentDocument("label", _("Shipping label"), "shipping/documents/label.html", "LB"),
    ]
}

# More labels than this for one shipment is a typing slip, not a parcel count to print.
MAX_LABELS = 50


def shipment_document_context(
    shipment: Shipment, document: ShipmentDocument, request: HttpRequest | None = None
) -> dict:
    """What a shipment's document prints: its lines (for the pick list by bin), totals,
    whether anything is fragile, and the barcodes. The label's QR code is the customer's
    order page (its link is made now when the order has none)."""
    lines = list(shipment.lines.all())
    # Scanners read the carrier's tracking number once there is one, the shipment number before.
    code = shipment.tracking_number or shipment.number
    return {
        "shipment": shipment,
        "order": shipment.order,
        "lines": lines,
        # The pick list is a wave of one: by bin, the order a picker walks them.
        "rows": selectors.wave_rows([shipment]) if document.kind == "pick-list" else [],
        "units": sum(line.quantity for line in lines),
        "weight": shipment.weight_kg or selectors.shipment_weight(shipment),
        "fragile": any(line.product.fragile for line in lines),
        "title": document.title,
        "document_number": f"{document.prefix}-{shipment.number}",
        "barcode": barcode_svg(shipment.number if document.kind != "label" else code),
        "barcode_value": code,
        "qr": (qr_svg(order_page_url(shipment.order, request)) if document.kind == "label" else ""),
        "qr_caption": _("Scan to follow your order"),
        "parcel_numbers": range(1, min(shipment.parcels, MAX_LABELS) + 1),
        "printed_at": timezone.localtime(),
        "back_url": shipment.get_absolute_url(),
    }
