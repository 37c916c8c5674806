"""Carrier choice: every active carrier service priced for a shipment, what rules it out,
and the one the rules pick. Read-only; `carrier_services.shipment_choose_carrier` records it.

The rule: of the services that cover the destination, take the parcel's weight and size and
the cash on delivery it needs, and arrive by the order's requested delivery date (transit
working days counted on the kernel's calendar from today), the customer's preferred carrier
wins if it is among them, else the cheapest (a tie goes to the earlier arrival). When none
arrives in time, the earliest arrival wins and the reason says the date will be missed.
Products carry no fragile flag yet, so the carriers' fragile-goods flag is not a rule yet.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from oms.workdays import WorkingCalendar, working_calendar
from shipping import rates
from shipping.models import CarrierService, Rate, Shipment, destination_keys
from shipping.selectors import shipment_weight


@dataclass(frozen=True)
class CarrierOption:
    service: CarrierService
    rate: Rate | None
    quote: rates.Quote | None
    arrives: date | None
    refusals: tuple[str, ...]
    late: bool

    @property
    def usable(self) -> bool:
        """Staff may choose it: it covers the destination and takes the parcel."""
        return not self.refusals

    @property
    def eligible(self) -> bool:
        """The rules may choose it: usable and in time."""
        return self.usable and not self.late

    @property
    def cost(self) -> Decimal | None:
        return self.quote.total if self.quote else None


@dataclass(frozen=True)
class CarrierChoice:
    options: list[CarrierOption]
    chosen: CarrierOption | None
    reason: str
    due: date | None


def terms_of(rate: Rate) -> rates.RateTerms:
    return rates.RateTerms(
        first_weight_kg=rate.first_weight_kg,
        first_fee=rate.first_fee,
        step_kg=rate.step_kg,
        step_fee=rate.step_fee,
        remote_surcharge=rate.remote_surcharge,
        cod=rates.CodRule(
            fixed_fee=rate.cod_fixed_fee,
            fixed_up_to=rate.cod_fixed_up_to,
            percent=rate.cod_percent,
            cap=rate.cod_cap,
        ),
        insurance_percent=rate.insurance_percent,
        insurance_minimum=rate.insurance_minimum,
    )


def shipment_parcel(shipment: Shipment) -> rates.Parcel:
    """The shipment as the rate engine sees it: the weighed weight, else the products'."""
    weight = shipment.weight_kg if shipment.weight_kg is not None else shipment_weight(shipment)
    return rates.Parcel(
        weight_kg=weight,
        length_cm=shipment.length_cm,
        width_cm=shipment.width_cm,
        height_cm=shipment.height_cm,
        declared_value=shipment.declared_value,
        cod_amount=shipment.cod_amount,
    )


def lane_rates(origin: str, destination: str) -> dict[int, Rate]:
    """{service id: the rate card row for the lane}, the province's row before its zone's."""
    keys = [key for key in destination_keys(destination) if key]
    found: dict[int, Rate] = {}
    for rate in Rate.objects.filter(origin=origin, destination__in=keys):
        current = found.get(rate.service_id)
        if current is None or keys.index(rate.destination) < keys.index(current.destination):
            found[rate.service_id] = rate
    return found


def _option(
    service: CarrierService,
    rate: Rate | None,
    parcel: rates.Parcel,
    start: date,
    due: date | None,
    calendar: WorkingCalendar,
) -> CarrierOption:
    refusals = []
    if rate is None:
        refusals.append(_("Does not serve this lane."))
    if parcel.weight_kg > service.max_weight_kg:
        refusals.append(
            _("Takes at most %(max)s kg.") % {"max": rates.plain(service.max_weight_kg)}
        )
    sides = [s for s in (parcel.length_cm, parcel.width_cm, parcel.height_cm) if s is not None]
    if sides and max(sides) > service.max_side_cm:
        refusals.append(
            _("Takes sides up to %(max)s cm.") % {"max": rates.plain(service.max_side_cm)}
        )
    if parcel.cod_amount > 0 and not service.carrier.supports_cod:
        refusals.append(_("Does not collect cash on delivery."))
    if rate is None:
        return CarrierOption(service, None, None, None, tuple(refusals), late=False)
    quote = rates.quote(
        parcel,
        terms_of(rate),
        divisor=service.volumetric_divisor,
        insure=service.carrier.supports_insurance,
    )
    arrives = calendar.add_working_days(start, rate.transit_days)
    late = due is not None and arrives > due
    return CarrierOption(service, rate, quote, arrives, tuple(refusals), late)


def _sort_key(option: CarrierOption) -> tuple:
    return (
        not option.eligible,
        not option.usable,
        option.cost if option.cost is not None else Decimal("Infinity"),
        option.arrives or date.max,
        option.service.carrier.name,
        option.service.level,
    )


def carrier_options(shipment: Shipment, *, start: date | None = None) -> list[CarrierOption]:
    """Every active service of an active carrier for the shipment, best first."""
    start = start or timezone.localdate()
    parcel = shipment_parcel(shipment)
    due = shipment.order.requested_delivery_date
    lane = lane_rates(shipment.warehouse.region, shipment.order.ship_region)
    services = CarrierService.objects.filter(active=True, carrier__active=True).select_related(
        "carrier"
    )
    # One calendar read for every option: the longest transit, with room for a long holiday.
    longest = max((rate.transit_days for rate in lane.values()), default=0)
    calendar = working_calendar(start, start + timedelta(days=3 * longest + 40))
    options = [_option(s, lane.get(s.pk), parcel, start, due, calendar) for s in services]
    return sorted(options, key=_sort_key)


def holds_fragile_goods(shipment: Shipment) -> bool:
    if "lines" in getattr(shipment, "_prefetched_objects_cache", {}):  # the shipment page
        return any(line.product.fragile for line in shipment.lines.all())
    return shipment.lines.filter(product__fragile=True).exists()


def choose_carrier(shipment: Shipment, *, start: date | None = None) -> CarrierChoice:
    options = carrier_options(shipment, start=start)
    due = shipment.order.requested_delivery_date
    eligible = [o for o in options if o.eligible]
    careful = [o for o in eligible if o.service.carrier.fragile_goods]
    if careful and holds_fragile_goods(shipment):
        # Fragile goods go with a carrier that handles them with care, when one arrives in time.
        chosen = careful[0]
        return CarrierChoice(
            options,
            chosen,
            _(
                "Fragile goods: the cheapest of %(count)s services by carriers that take "
                "fragile goods with care, arriving in time."
            )
            % {"count": len(careful)},
            due,
        )
    preferred = shipment.order.customer.preferred_carrier.strip().upper()
    favourites = [o for o in eligible if o.service.carrier.code.upper() == preferred]
    if favourites:
        return CarrierChoice(
            options,
            favourites[0],
            _("The customer prefers %(carrier)s; its cheapest service that arrives in time.")
            % {"carrier": favourites[0].service.carrier.name},
            due,
        )
    if eligible:
        chosen = eligible[0]
        if due is None:
            reason = _("Cheapest of %(count)s services that cover the destination.")
        else:
            reason = _("Cheapest of %(count)s services that arrive by %(due)s.")
        return CarrierChoice(
            options,
            chosen,
            reason % {"count": len(eligible), "due": due.isoformat() if due else ""},
            due,
        )
    usable = sorted((o for o in options if o.usable), key=lambda o: (o.arrives, o.cost))
    if usable:
        return CarrierChoice(
            options,
            usable[0],
            _("No service arrives by %(due)s; this one arrives first.")
            % {"due": due.isoformat() if due else ""},
            due,
        )
    return CarrierChoice(options, None, _("No active carrier service can take this shipment."), due)
