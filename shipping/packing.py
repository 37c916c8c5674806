"""The pack station: the packer scans the shipment's barcode, then every item; each scan is
checked against the shipment's lines (by the product's SKU or its barcode) and counted on the server (`PackSession`), so a reload
or a second device sees the same counts. When every line is complete the shipment is packed
through `shipping.services.shipment_pack`, with the lots scanned or typed.

Each scan carries a one-time id from the page: the same scan sent twice (a double Enter, a
form sent again) counts once, two scans of one item count twice only while the line needs
them."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from inventory.barcodes import normalise_barcode
from oms.db import atomic_with_retry
from oms.services import acting_user
from oms.types import AnyUser, User
from shipping.choices import ShipmentStatus
from shipping.merging import parcels_visible_to
from shipping.models import PackSession, Shipment, ShipmentLine
from shipping.permissions import (
    ShipmentAction,
    ShipmentError,
    ensure_action_allowed,
    ensure_permitted,
)
from shipping.selectors import shipments_visible_to
from shipping.services import LOT_LENGTH, lock_shipment, shipment_pack

S = ShipmentStatus
CODE_LENGTH = 60
# One-time ids remembered per session: more than a packer scans before the page answers.
RECENT_SCANS = 50


@dataclass(frozen=True)
class ScanResult:
    ok: bool
    message: str
    line_id: int | None = None
    packed: bool = False


@dataclass(frozen=True)
class PackLine:
    """A shipment line as the station shows it."""

    line: ShipmentLine
    scanned: int
    lot: str

    @property
    def complete(self) -> bool:
        return self.scanned >= self.line.quantity


def _clean(code: str) -> str:
    return " ".join(code.split())[:CODE_LENGTH].upper()


def find_shipment(user: AnyUser, code: str, warehouse_id: int | None) -> Shipment:
    """The shipment a scanned barcode names: the packing list's (the shipment number) or the
    label's (the tracking number, or the shipment number before dispatch), among the
    shipments the user may see. Refuses another warehouse's shipment at this station."""
    code = _clean(code)
    if not code:
        raise ShipmentError(_("Scan the barcode of the packing list or the label."))
    visible = shipments_visible_to(user).select_related("warehouse")
    shipment = visible.filter(number=code).first()
    if shipment is None:
        matches = list(
            visible.filter(tracking_number__iexact=code)
            .filter(status__in=[S.PENDING, S.PICKING, S.PACKED])
            .order_by("pk")[:2]
        )
        shipment = matches[0] if len(matches) == 1 else None
    if shipment is None:
        parcel = parcels_visible_to(user).filter(number=code).first()
        if parcel is not None:
            numbers = ", ".join(
                visible.filter(merged_parcel=parcel).order_by("pk").values_list("number", flat=True)
            )
            raise ShipmentError(
                _(
                    "%(code)s is a merged parcel: scan the packing list of each of its "
                    "shipments (%(numbers)s)."
                )
                % {"code": code, "numbers": numbers or "—"}
            )
        raise ShipmentError(_("No shipment has the barcode %(code)s.") % {"code": code})
    if warehouse_id is not None and shipment.warehouse_id != warehouse_id:
        raise ShipmentError(
            _("%(number)s leaves from %(warehouse)s; this station packs for another warehouse.")
            % {"number": shipment.number, "warehouse": shipment.warehouse.code}
        )
    return shipment


def pack_lines(shipment: Shipment) -> list[PackLine]:
    """The shipment's lines with what has been scanned of each."""
    session = PackSession.objects.filter(shipment=shipment).first()
    counts = session.counts if session else {}
    lots = session.lots if session else {}
    return [
        PackLine(line, int(counts.get(str(line.pk), 0)), lots.get(str(line.pk), line.lot))
        for line in shipment.lines.select_related("product").order_by("pk")
    ]


def _product_matches(code: str) -> Q:
    """The lines whose product has this SKU or this barcode (a product's barcode never reads
    as another product's SKU: inventory refuses that)."""
    matches = Q(product__sku__iexact=code)
    barcode = normalise_barcode(code)
    if barcode:
        matches |= Q(product__barcode=barcode)
    return matches


@atomic_with_retry()
def pack_scan(
    *, actor: User | None, shipment: Shipment, code: str, scan_id: str = "", lot: str = ""
) -> ScanResult:
    """Count one scanned item. A wrong item (not in the shipment) or one more than the line
    needs is refused with the reason and counts nothing; the last item packs the shipment."""
    ensure_permitted(actor, ShipmentAction.PACK)
    shipment = lock_shipment(shipment)
    ensure_action_allowed(shipment, actor, ShipmentAction.PACK)
    code, lot = _clean(code), " ".join(lot.split())
    if not code:
        return ScanResult(False, _("Scan an item's SKU or barcode."))
    if len(lot) > LOT_LENGTH:
        return ScanResult(
            False, _("A lot or batch has at most %(max)s characters.") % {"max": LOT_LENGTH}
        )
    session, _created = PackSession.objects.get_or_create(
        shipment=shipment, defaults={"started_by": acting_user(actor)}
    )
    scan_id = scan_id.strip()[:64]
    if scan_id and scan_id in session.recent_scans:
        return ScanResult(True, _("This scan was counted already."))
    lines = list(shipment.lines.filter(_product_matches(code)).select_related("product"))
    if not lines:
        return ScanResult(
            False,
            _("%(code)s is not in shipment %(number)s. Put it aside.")
            % {"code": code, "number": shipment.number},
        )
    for line in sorted(lines, key=lambda line: line.pk):
        scanned = int(session.counts.get(str(line.pk), 0))
        if scanned < line.quantity:
            break
    else:
        return ScanResult(
            False,
            _("%(sku)s: all %(quantity)s are packed already; this one is too many.")
            % {"sku": lines[0].product.sku, "quantity": sum(li.quantity for li in lines)},
            line_id=lines[0].pk,
        )
    session.counts[str(line.pk)] = scanned + 1
    if lot:
        session.lots[str(line.pk)] = lot
    if scan_id:
        session.recent_scans = [*session.recent_scans, scan_id][-RECENT_SCANS:]
    session.save(update_fields=["counts", "lots", "recent_scans", "updated_at"])
    needed = {pk: quantity for pk, quantity in shipment.lines.values_list("pk", "quantity")}
    if all(int(session.counts.get(str(pk), 0)) >= quantity for pk, quantity in needed.items()):
        lots = {int(pk): value for pk, value in session.lots.items() if int(pk) in needed}
        shipment_pack(actor=actor, shipment=shipment, lots=lots)
        session.delete()
        return ScanResult(
            True,
            _("All items are in: %(number)s is packed.") % {"number": shipment.number},
            line_id=line.pk,
            packed=True,
        )
    return ScanResult(
        True,
        _("%(sku)s: %(scanned)s of %(quantity)s.")
        % {"sku": line.product.sku, "scanned": scanned + 1, "quantity": line.quantity},
        line_id=line.pk,
    )


@atomic_with_retry()
def pack_reset(*, actor: User | None, shipment: Shipment) -> Shipment:
    """Count again from nothing (the box was emptied)."""
    ensure_permitted(actor, ShipmentAction.PACK)
    shipment = lock_shipment(shipment)
    PackSession.objects.filter(shipment=shipment).delete()
    return shipment
