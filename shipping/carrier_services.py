"""Carrier services: the only code that writes carriers, their service levels and rate card
rows, and that records the carrier chosen for a shipment (by the rules or by staff)."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.csv_upload import read_csv_rows
from oms.db import atomic_with_retry
from oms.services import audit_record, model_save
from oms.types import User
from orders.intake.platform_carriers import ID_KINDS, platform_carrier_ids_set
from shipping.choice import CarrierChoice, choose_carrier
from shipping.choices import UNDISPATCHED_STATUSES
from shipping.models import Carrier, CarrierService, Rate, Shipment
from shipping.permissions import ShipmentError
from shipping.services import lock_shipment, record_carrier_choice

CARRIER_FIELDS = (
    "code",
    "name",
    "active",
    "supports_cod",
    "supports_insurance",
    "fragile_goods",
    "tracking_kind",
    "tracking_endpoint",
    "tracking_company",
    "tracking_customer",
    "tracking_rate_limit",
)
# Credentials: written only when a new value is given, never shown or audited as values.
CARRIER_SECRETS = ("tracking_key", "tracking_secret")
SERVICE_FIELDS = ("level", "active", "volumetric_divisor", "max_weight_kg", "max_side_cm")
# The rate card CSV: a header row naming these columns (any order), one lane per row.
RATE_COLUMNS = (
    "service",
    "origin",
    "destination",
    "transit_days",
    "first_weight_kg",
    "first_fee",
    "step_kg",
    "step_fee",
    "remote_surcharge",
    "cod_fixed_fee",
    "cod_fixed_up_to",
    "cod_percent",
    "cod_cap",
    "insurance_percent",
    "insurance_minimum",
)
REQUIRED_RATE_COLUMNS = RATE_COLUMNS[:8]
MAX_RATE_ROWS = 5000
MAX_RATE_FILE_BYTES = 1_000_000
CHOOSE_PERMISSION = "shipping.choose_carrier"
REASON_LENGTH = 500


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: data[name] for name in fields if name in data}


@atomic_with_retry()
def carrier_save(*, actor: User | None, carrier: Carrier | None, data: dict[str, Any]) -> Carrier:
    """Save a carrier. A credential (CARRIER_SECRETS) changes only when data gives a new one;
    the audit log records that it changed, never its value."""
    instance = Carrier.objects.select_for_update().get(pk=carrier.pk) if carrier else Carrier()
    old_code = instance.code
    changed = [
        name for name in CARRIER_SECRETS if data.get(name) and data[name] != getattr(instance, name)
    ]
    for name in changed:
        setattr(instance, name, data[name])
    saved = model_save(
        actor=actor,
        instance=instance,
        data=_pick(data, CARRIER_FIELDS),
        action="carrier.update" if carrier else "carrier.create",
    )
    if changed:
        audit_record(
            actor=actor,
            action="carrier.tracking_secrets",
            obj=saved,
            changes={name: "••••" for name in changed},
        )
    # The ids marketplaces know it by ("jd_id", "pinduoduo_id"), kept by orders per code.
    ids = {kind: data[f"{kind}_id"] for kind in ID_KINDS if f"{kind}_id" in data}
    if ids or (old_code and old_code != saved.code):
        platform_carrier_ids_set(actor=actor, carrier_code=saved.code, ids=ids, old_code=old_code)
    return saved


def carrier_service_save(
    *,
    actor: User | None,
    carrier: Carrier,
    service: CarrierService | None,
    data: dict[str, Any],
) -> CarrierService:
    instance = (
        CarrierService.objects.select_for_update().get(pk=service.pk, carrier=carrier)
        if service
        else CarrierService(carrier=carrier)
    )
    if (
        CarrierService.objects.filter(carrier=carrier, level=data.get("level", instance.level))
        .exclude(pk=instance.pk)
        .exists()
    ):
        raise ValidationError({"level": _("This carrier already has this service level.")})
    return model_save(
        actor=actor,
        instance=instance,
        data=_pick(data, SERVICE_FIELDS),
        action="carrier_service.update" if service else "carrier_service.create",
    )


# Rate card import ------------------------------------------------------------------------


@dataclass
class RateRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    rate: Rate | None = None
    new: bool = True


@dataclass
class RateImportReport:
    rows: list[RateRow]
    errors: list[str]  # about the file as a whole
    written: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and all(not row.errors for row in self.rows)

    @property
    def bad_rows(self) -> list[RateRow]:
        return [row for row in self.rows if row.errors]


def _check_row(row: RateRow, services: dict[str, CarrierService], seen: set[tuple]) -> None:
    values = row.values
    service = services.get(values.get("service", ""))
    if service is None:
        row.errors.append(
            _("Unknown service level %(level)s; this carrier has: %(levels)s.")
            % {"level": values.get("service", ""), "levels": ", ".join(sorted(services)) or "—"}
        )
        return
    lane = (service.pk, values.get("origin", ""), values.get("destination", ""))
    if lane in seen:
        row.errors.append(_("The same lane appears twice in the file."))
        return
    seen.add(lane)
    existing = Rate.objects.filter(service=service, origin=lane[1], destination=lane[2]).first()
    rate = existing or Rate(service=service)
    for name in RATE_COLUMNS[1:]:
        if name in values and (values[name] != "" or name in REQUIRED_RATE_COLUMNS):
            setattr(rate, name, values[name])
    try:
        rate.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            label = name if name in RATE_COLUMNS else ""
            row.errors.extend(f"{label}: {m}" if label else m for m in messages)
        return
    row.rate, row.new = rate, existing is None


def rate_import(
    *, actor: User | None, carrier: Carrier, text: str, dry_run: bool
) -> RateImportReport:
    """Check every row of a rate card CSV and report each; unless `dry_run`, write them all
    (new lanes added, known lanes updated) when every row is good, else nothing."""
    if actor is not None and not actor.has_perm("shipping.change_carrier"):
        raise PermissionDenied(_("Your role does not allow changing carriers."))
    records, errors = read_csv_rows(
        text,
        columns=RATE_COLUMNS,
        required=REQUIRED_RATE_COLUMNS,
        max_rows=MAX_RATE_ROWS,
        max_bytes=MAX_RATE_FILE_BYTES,
    )
    report = RateImportReport([RateRow(n, v) for n, v in enumerate(records, start=2)], errors)
    if errors:
        return report
    with transaction.atomic():
        carrier = Carrier.objects.select_for_update().get(pk=carrier.pk)
        services = {s.level: s for s in carrier.services.all()}
        seen: set[tuple] = set()
        for row in report.rows:
            _check_row(row, services, seen)
        if dry_run or not report.ok:
            return report
        for row in report.rows:
            assert row.rate is not None
            row.rate.save()
        report.written = len(report.rows)
        audit_record(
            actor=actor,
            action="carrier.rates_import",
            obj=carrier,
            changes={
                "rows": report.written,
                "new": sum(1 for row in report.rows if row.new),
            },
        )
    return report


# Choosing a shipment's carrier -----------------------------------------------------------


@atomic_with_retry()
def shipment_choose_carrier(
    *,
    actor: User | None,
    shipment: Shipment,
    service_id: int | None = None,
    reason: str = "",
) -> tuple[Shipment, CarrierChoice]:
    """Record the carrier service for a shipment still in the warehouse: the one the rules
    choose, or (an override) the one staff name, with their reason. Sets the carrier, the
    service level, the cost and the expected delivery date from the transit working days."""
    if actor is not None and not actor.has_perm(CHOOSE_PERMISSION):
        raise PermissionDenied(_("Your role does not allow choosing carriers."))
    shipment = lock_shipment(shipment)
    if shipment.status not in UNDISPATCHED_STATUSES:
        raise ShipmentError(
            _("%(number)s has left the warehouse; its carrier cannot change.")
            % {"number": shipment.number}
        )
    if shipment.pickup_point_id is not None:
        raise ShipmentError(
            _("%(number)s is collected at a pickup point; it needs no carrier.")
            % {"number": shipment.number}
        )
    reason = reason.strip()
    choice = choose_carrier(shipment, start=timezone.localdate())
    override = service_id is not None
    if override:
        if not reason:
            raise ValidationError({"reason": _("Say why you choose another carrier.")})
        if len(reason) > REASON_LENGTH:
            raise ValidationError(
                {"reason": _("At most %(max)s characters.") % {"max": REASON_LENGTH}}
            )
        option = next((o for o in choice.options if o.service.pk == service_id), None)
        if option is None:
            raise ValidationError({"service": _("Choose one of the services offered.")})
        if not option.usable:
            raise ValidationError({"service": " ".join(option.refusals)})
    else:
        option = choice.chosen
        if option is None:
            raise ShipmentError(choice.reason)
    record_carrier_choice(
        shipment, choice, option, actor=actor, override=override, reason=reason if override else ""
    )
    return shipment, choice
