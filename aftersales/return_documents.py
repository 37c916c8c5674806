"""The return label (A6, like shipping's): the RMA number as Code 128 for the receiving dock's
scanner, our warehouse as the recipient, the customer's delivery address as the sender, and a
QR code of the customer's return page."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from aftersales.models import ReturnRequest
from oms.documents import barcode_svg, qr_svg
from shipping.order_page import order_page_url


def return_label_context(rma: ReturnRequest, request: HttpRequest | None = None) -> dict[str, Any]:
    assert rma.number is not None  # only approved returns have a label
    order = rma.order
    return {
        "title": _("Return label"),
        "document_number": rma.number,
        "rma": rma,
        "order": order,
        "warehouse": rma.warehouse,
        "lines": list(rma.lines.all()),
        "units": sum(line.quantity for line in rma.lines.all()),
        "barcode": barcode_svg(rma.number),
        "qr": qr_svg(order_page_url(order, request).rstrip("/") + "/return/"),
        "back_url": rma.get_absolute_url(),
    }
