"""Stocktake sessions: open → count → review → post (or cancel).

Opening a session locks the stock rows in scope (primary-key order, as every stock service
does) and copies their on_hand as each line's `expected`, with the newest ledger row's id as
the snapshot mark. Nothing stops the warehouse from receiving or dispatching while people
count, so a count is taken as at the snapshot: the counter counts what was on the shelf
when the session was opened and goods moved since are booked by their own ledger rows.

Posting therefore adjusts each counted line by its variance, counted − expected, and not
by counted − on_hand now:

    on_hand at post  = expected + moved since the snapshot (receipts, dispatches, ...)
    adjustment       = counted − expected
    on_hand after    = counted + moved since the snapshot

so a dispatch of 3 during the count is neither lost nor taken twice. Were the adjustment
counted − on_hand now, those 3 units would be "found" again. The count row is locked before
the stock rows, so two posts run one after the other and the second finds it posted.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory import hooks
from inventory.choices import AdjustmentReason, MovementKind, StockCountStatus
from inventory.models import (
    Category,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    Warehouse,
)
from inventory.selectors import count_sheet_rows
from inventory.services import MAX_QUANTITY, _move
from oms.csv_upload import read_csv_rows
from oms.db import atomic_with_retry, next_document_number
from oms.errors import ServiceError
from oms.exports import defuse
from oms.services import audit_record
from oms.types import User

CSV_COLUMNS = ("sku", "counted")
CSV_ALIASES = {
    "货号": "sku",
    "商品编码": "sku",
    "sku编码": "sku",
    "实盘数量": "counted",
    "盘点数量": "counted",
    "实盘": "counted",
    "count": "counted",
    "quantity": "counted",
}
WHOLE_NUMBER = re.compile(r"-?\d+")


def _scope_rows(
    warehouse: Warehouse, bin_from: str, bin_to: str, category: Category | None
) -> list[int]:
    rows = count_sheet_rows(warehouse)
    if bin_from:
        rows = rows.filter(bin_location__gte=bin_from)
    if bin_to:
        rows = rows.filter(bin_location__lte=bin_to)
    if category is not None:
        rows = rows.filter(product__category=category)
    return list(rows.values_list("pk", flat=True))


@atomic_with_retry()
def stocktake_open(
    *,
    actor: User | None,
    warehouse: Warehouse,
    bin_from: str = "",
    bin_to: str = "",
    category: Category | None = None,
    note: str = "",
) -> StockCount:
    """Open a count of `warehouse` (all its stocked products, a bin range and/or a category)
    and snapshot the expected quantities."""
    bin_from, bin_to = bin_from.strip().upper(), bin_to.strip().upper()
    if not warehouse.is_active:
        raise ValidationError(
            {"warehouse": _("Warehouse %(code)s is inactive.") % {"code": warehouse.code}}
        )
    if bin_from and bin_to and bin_from > bin_to:
        raise ValidationError({"bin_to": _("The last bin comes before the first.")})
    if StockCount.objects.filter(warehouse=warehouse, status=StockCountStatus.OPEN).exists():
        raise ValidationError({"warehouse": _("This warehouse already has an open stocktake.")})
    ids = _scope_rows(warehouse, bin_from, bin_to, category)
    if not ids:
        raise ValidationError(_("Nothing is stocked in this scope: there is nothing to count."))
    # Locked so that no movement of these rows is half-way while the snapshot is read: every
    # ledger row of them is then either visible below or gets a higher id than the mark.
    levels = list(
        StockLevel.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    mark = StockMovement.objects.aggregate(last=Max("id"))["last"] or 0
    count = StockCount(
        number=next_document_number("CNT", "inventory_stock_count_number"),
        warehouse=warehouse,
        bin_from=bin_from,
        bin_to=bin_to,
        category=category,
        note=note,
        snapshot_at=timezone.now(),
        snapshot_movement_id=mark,
        opened_by=actor,
    )
    try:
        with transaction.atomic():
            count.save()
    except IntegrityError:  # another session was opened at the same moment
        raise ValidationError(
            {"warehouse": _("This warehouse already has an open stocktake.")}
        ) from None
    StockCountLine.objects.bulk_create(
        [
            StockCountLine(
                count=count,
                stock_level=level,
                product=level.product,
                bin_location=level.bin_location,
                expected=level.on_hand,
                unit_cost=level.average_cost if level.cost_known else level.product.standard_cost,
            )
            for level in levels
        ]
    )
    audit_record(
        actor=actor,
        action="stocktake.open",
        obj=count,
        changes={"warehouse": warehouse.code, "lines": len(levels)},
    )
    return count


def _locked_open(count: StockCount) -> StockCount:
    count = StockCount.objects.select_for_update().get(pk=count.pk)
    if count.status != StockCountStatus.OPEN:
        raise ServiceError(
            _("Stocktake %(number)s is %(status)s and can no longer change.")
            % {"number": count.number, "status": count.get_status_display()}
        )
    return count


def _check_count(value: int | None) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError({"counted": _("Enter the count as a whole number.")})
    if value < 0:
        raise ValidationError({"counted": _("A count cannot be negative.")})
    if value > MAX_QUANTITY:
        raise ValidationError(
            {"counted": _("Enter a count of at most %(max)s.") % {"max": MAX_QUANTITY}}
        )


@transaction.atomic
def stocktake_record_counts(
    *, actor: User | None, count: StockCount, counts: dict[int, int | None]
) -> int:
    """Store counted quantities by line id (None: not counted). Returns how many changed."""
    for value in counts.values():
        _check_count(value)
    count = _locked_open(count)
    lines = {
        line.pk: line
        for line in StockCountLine.objects.select_for_update().filter(
            count=count, pk__in=list(counts)
        )
    }
    if len(lines) != len(counts):
        raise ValidationError(
            _("Some of these lines are not in stocktake %(number)s.") % {"number": count.number}
        )
    now = timezone.now()
    changed = [line for pk, line in sorted(lines.items()) if line.counted != counts[pk]]
    for line in changed:
        line.counted = counts[line.pk]
        line.counted_at, line.counted_by = (
            (now, actor) if line.counted is not None else (None, None)
        )
    StockCountLine.objects.bulk_update(changed, ["counted", "counted_at", "counted_by"])
    if changed:
        audit_record(
            actor=actor, action="stocktake.count", obj=count, changes={"lines": len(changed)}
        )
    return len(changed)


@dataclass
class CountImport:
    """What a CSV of counts did: row problems (line number, reason) and the lines it set."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    changed: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors


def stocktake_import_csv(*, actor: User | None, count: StockCount, text: str) -> CountImport:
    """Counts from a CSV (sku, counted; Chinese headers too). A blank count leaves the line
    as it is. Any bad row: every problem is reported with its line and nothing is written."""
    report = CountImport()
    rows, report.file_errors = read_csv_rows(
        text, columns=CSV_COLUMNS, required=CSV_COLUMNS, aliases=CSV_ALIASES
    )
    if report.file_errors:
        return report
    lines = {
        sku.upper(): pk
        for pk, sku in StockCountLine.objects.filter(count=count).values_list("pk", "product__sku")
    }
    counts: dict[int, int | None] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        sku, raw = row.get("sku", "").upper(), row.get("counted", "").replace(",", "")
        if not sku and not raw:
            continue
        report.rows += 1
        if sku not in lines:
            report.errors.append(
                (number, _("SKU %(sku)s is not in this stocktake.") % {"sku": sku or "—"})
            )
            continue
        if sku in seen:
            report.errors.append(
                (
                    number,
                    _("SKU %(sku)s is also on line %(line)s.") % {"sku": sku, "line": seen[sku]},
                )
            )
            continue
        seen[sku] = number
        if not raw:
            continue
        if not WHOLE_NUMBER.fullmatch(raw):
            report.errors.append((number, _("Enter the count as a whole number.")))
            continue
        value = int(raw)
        try:
            _check_count(value)
        except ValidationError as error:
            report.errors.append((number, " ".join(error.messages)))
            continue
        counts[lines[sku]] = value
    if report.errors:
        return report
    if not counts:
        report.file_errors.append(_("The file has no counts."))
        return report
    report.changed = stocktake_record_counts(actor=actor, count=count, counts=counts)
    return report


def stocktake_template_csv(count: StockCount) -> str:
    """The CSV to fill in: one row per line in walking order, the count column empty."""
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens the Chinese names as UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["sku", "counted", "bin", "product"])
    for line in count.lines.select_related("product").order_by("bin_location", "product__sku"):
        writer.writerow(
            [
                defuse(line.product.sku),
                "" if line.counted is None else line.counted,
                defuse(line.bin_location),
                defuse(line.product.name),
            ]
        )
    return out.getvalue()


@atomic_with_retry()
def stocktake_post(*, actor: User | None, count: StockCount) -> StockCount:
    """Write the counted variances to the stock ledger (reason: stocktake correction, the
    session's number as reference), all in this transaction. Lines not counted stay as they
    are. Refused once posted or cancelled."""
    count = _locked_open(count)
    lines = list(
        StockCountLine.objects.select_for_update()
        .filter(count=count, counted__isnull=False)
        .select_related("product")
        .order_by("stock_level_id")
    )
    if not lines:
        raise ServiceError(_("Nothing has been counted yet: enter the counts before posting."))
    varied = [line for line in lines if line.counted != line.expected]
    levels = {
        level.pk: level
        for level in StockLevel.objects.select_for_update(of=("self",))
        .filter(pk__in=[line.stock_level_id for line in varied])
        .order_by("pk")
    }
    problems = []
    for line in varied:
        level = levels[line.stock_level_id]
        after = level.on_hand + line.counted - line.expected
        if after < max(level.reserved, 0):
            problems.append(
                _(
                    "%(sku)s: counting %(counted)s would leave %(after)s on hand, but "
                    "%(reserved)s are reserved and %(on_hand)s are on hand now (stock left "
                    "since the snapshot?). Correct the count or cancel the session."
                )
                % {
                    "sku": line.product.sku,
                    "counted": line.counted,
                    "after": after,
                    "reserved": level.reserved,
                    "on_hand": level.on_hand,
                }
            )
    if problems:
        raise ValidationError(problems)
    for line in varied:
        line.movement = _move(
            level=levels[line.stock_level_id],
            kind=MovementKind.ADJUSTMENT,
            quantity=line.counted - line.expected,
            actor=actor,
            reason=AdjustmentReason.COUNT,
            reference=count.number,
            note=_("Counted %(counted)s, expected %(expected)s")
            % {"counted": line.counted, "expected": line.expected},
        )
    StockCountLine.objects.bulk_update(varied, ["movement"])
    count.status = StockCountStatus.POSTED
    count.posted_at, count.posted_by = timezone.now(), actor
    count.save(update_fields=["status", "posted_at", "posted_by"])
    audit_record(
        actor=actor,
        action="stocktake.post",
        obj=count,
        changes={"counted": len(lines), "adjusted": len(varied)},
    )
    found = {line.product_id for line in varied if line.counted > line.expected}
    if found:
        hooks.notify_stock_arrived(found)
    return count


@transaction.atomic
def stocktake_cancel(*, actor: User | None, count: StockCount) -> StockCount:
    """Drop an open session; nothing reaches the ledger."""
    count = _locked_open(count)
    count.status = StockCountStatus.CANCELLED
    count.cancelled_at = timezone.now()
    count.save(update_fields=["status", "cancelled_at"])
    audit_record(actor=actor, action="stocktake.cancel", obj=count)
    return count
