"""Demo carriers: five Chinese carriers, their service levels and rate cards from every
demo warehouse's province to each province zone, with remote lanes (Xinjiang, Tibet) dearer
and slower. The rate cards go in through the CSV import, as a logistics desk would load them.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from inventory.models import Warehouse
from oms.demo import SeedContext
from oms.regions import AREAS, PROVINCES_BY_CODE
from orders.intake.platform_carriers import ids_of_carrier, platform_carrier_ids_set
from shipping import carrier_services
from shipping.choices import ServiceLevel, TrackingKind
from shipping.models import Carrier

L = ServiceLevel
D = Decimal


@dataclass(frozen=True)
class Tariff:
    """A service's prices by distance: (same province, same area, elsewhere, remote)."""

    level: str
    divisor: int
    max_kg: str
    max_side: str
    first_kg: str
    step_kg: str
    first_fee: tuple[str, str, str, str]
    step_fee: tuple[str, str, str, str]
    days: tuple[int, int, int, int]
    remote_surcharge: str
    cod: tuple[str, str, str, str]  # fixed fee, up to, percent, cap
    insurance: tuple[str, str]  # percent, minimum
    covers_tibet: bool = True


COD_NONE = ("0", "0", "0", "0")
# (code, name, COD, insurance, fragile goods, tracking, tariffs)
CARRIERS = [
    (
        "SF",
        "顺丰速运 SF Express",
        True,
        True,
        True,
        TrackingKind.KUAIDI100,
        [
            Tariff(
                L.EXPRESS,
                6000,
                "50",
                "150",
                "1",
                "1",
                ("12", "18", "23", "28"),
                ("2", "5", "8", "12"),
                (1, 1, 2, 4),
                "10",
                ("3", "1000", "1", "50"),
                ("0.5", "1"),
            ),
            Tariff(
                L.ECONOMY,
                12000,
                "100",
                "150",
                "1",
                "1",
                ("10", "13", "16", "22"),
                ("1", "3", "5", "8"),
                (2, 2, 3, 6),
                "10",
                ("3", "1000", "1", "50"),
                ("0.5", "1"),
            ),
        ],
    ),
    (
        "ZTO",
        "中通快递 ZTO Express",
        False,
        True,
        False,
        TrackingKind.KUAIDI100,
        [
            Tariff(
                L.STANDARD,
                8000,
                "30",
                "120",
                "1",
                "1",
                ("5", "7", "9", "18"),
                ("1", "2", "4", "10"),
                (2, 3, 4, 7),
                "15",
                COD_NONE,
                ("0.3", "1"),
                covers_tibet=False,
            ),
        ],
    ),
    (
        "JD",
        "京东物流 JD Logistics",
        True,
        True,
        True,
        TrackingKind.WEBHOOK,
        [
            Tariff(
                L.EXPRESS,
                8000,
                "30",
                "150",
                "1",
                "1",
                ("10", "14", "18", "25"),
                ("2", "4", "6", "10"),
                (1, 2, 3, 5),
                "12",
                ("2", "500", "0.8", "40"),
                ("0.5", "2"),
            ),
        ],
    ),
    (
        "DBL",
        "德邦快递 Deppon",
        True,
        True,
        True,
        TrackingKind.KUAIDI100,
        [
            Tariff(
                L.FREIGHT,
                6000,
                "500",
                "300",
                "3",
                "1",
                ("25", "30", "40", "60"),
                ("1.2", "1.8", "2.5", "4"),
                (2, 3, 5, 8),
                "30",
                ("5", "1000", "1", "100"),
                ("0.3", "3"),
            ),
        ],
    ),
    (
        "EMS",
        "中国邮政 EMS",
        True,
        True,
        False,
        TrackingKind.MANUAL,
        [
            Tariff(
                L.STANDARD,
                8000,
                "40",
                "150",
                "1",
                "1",
                ("10", "15", "20", "22"),
                ("3", "5", "7", "8"),
                (2, 3, 4, 5),
                "0",
                ("3", "1000", "1.5", "60"),
                ("0.5", "2"),
            ),
        ],
    ),
]
REMOTE = ("XJ", "XZ")


def _rows(tariff: Tariff, origins: list[str]) -> list[dict[str, str]]:
    rows = []
    for origin in origins:
        area = PROVINCES_BY_CODE[origin].area
        lanes = [(origin, 0)]
        lanes += [(f"zone:{key}", 1 if key == area else 2) for key in AREAS]
        lanes += [(code, 3) for code in REMOTE if tariff.covers_tibet or code != "XZ"]
        for destination, band in lanes:
            rows.append(
                {
                    "service": tariff.level,
                    "origin": origin,
                    "destination": destination,
                    "transit_days": str(tariff.days[band]),
                    "first_weight_kg": tariff.first_kg,
                    "first_fee": tariff.first_fee[band],
                    "step_kg": tariff.step_kg,
                    "step_fee": tariff.step_fee[band],
                    "remote_surcharge": tariff.remote_surcharge if band == 3 else "0",
                    "cod_fixed_fee": tariff.cod[0],
                    "cod_fixed_up_to": tariff.cod[1],
                    "cod_percent": tariff.cod[2],
                    "cod_cap": tariff.cod[3],
                    "insurance_percent": tariff.insurance[0],
                    "insurance_minimum": tariff.insurance[1],
                }
            )
    return rows


def rate_card_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=carrier_services.RATE_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# The ids JD (logistics company id, logiCoprId) and Pinduoduo (shipping_id) know the demo
# carriers by, as their logistics company lists give them; check them against the platform's
# list before going live.
PLATFORM_IDS = {
    "SF": {"jd": "467", "pinduoduo": "44"},
    "ZTO": {"jd": "1499", "pinduoduo": "115"},
    "JD": {"jd": "2087", "pinduoduo": "120"},
    "DBL": {"jd": "2130", "pinduoduo": "131"},
    "EMS": {"jd": "465", "pinduoduo": "118"},
}


def seed_carriers(context: SeedContext) -> None:
    """Idempotent: carriers and services are found by code and level, lanes updated."""
    actor = context.users.get("logistics")
    origins = sorted(set(Warehouse.objects.values_list("region", flat=True)))
    for code, name, cod, insurance, fragile, tracking, tariffs in CARRIERS:
        carrier = Carrier.objects.filter(code=code).first()
        carrier = carrier or carrier_services.carrier_save(
            actor=actor,
            carrier=None,
            data={
                "code": code,
                "name": name,
                "active": True,
                "supports_cod": cod,
                "supports_insurance": insurance,
                "fragile_goods": fragile,
                "tracking_kind": tracking,
            },
        )
        if code in PLATFORM_IDS and not ids_of_carrier(code):
            platform_carrier_ids_set(actor=actor, carrier_code=code, ids=PLATFORM_IDS[code])
        rows = []
        for tariff in tariffs:
            if not carrier.services.filter(level=tariff.level).exists():
                carrier_services.carrier_service_save(
                    actor=actor,
                    carrier=carrier,
                    service=None,
                    data={
                        "level": tariff.level,
                        "active": True,
                        "volumetric_divisor": tariff.divisor,
                        "max_weight_kg": D(tariff.max_kg),
                        "max_side_cm": D(tariff.max_side),
                    },
                )
            rows += _rows(tariff, origins)
        report = carrier_services.rate_import(
            actor=actor, carrier=carrier, text=rate_card_csv(rows), dry_run=False
        )
        if not report.ok:
            raise RuntimeError(f"demo rate card of {code}: {report.errors or report.bad_rows}")
    context.say(f"{len(CARRIERS)} carriers with rate cards from {len(origins)} provinces")
