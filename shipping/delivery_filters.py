"""Filtering shipments by the delivery slot their order booked (the shipments list, the pick
wave)."""

from datetime import date

from django.db.models import CharField, Exists, F, Func, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat

from shipping.models import Shipment, SlotBooking, SlotPattern, slot_label
from shipping.models.slots import EN_DASH


def slot_time_choices() -> list[tuple[str, str]]:
    """The slot start times the patterns use, for filters: ("09:00", its slot's label)."""
    seen: dict[str, str] = {}
    for starts, ends in (
        SlotPattern.objects.order_by("starts", "ends").values_list("starts", "ends").distinct()
    ):
        seen.setdefault(f"{starts:%H:%M}", slot_label(starts, ends))
    return list(seen.items())


def with_booked_slot(
    queryset: QuerySet[Shipment], *, day: date | None, starts: str | None
) -> QuerySet[Shipment]:
    """Shipments whose order booked a slot at the shipment's warehouse on `day` and/or
    starting at `starts` ("09:00")."""
    bookings = SlotBooking.objects.filter(
        order_id=OuterRef("order_id"), warehouse_id=OuterRef("warehouse_id")
    )
    if day is not None:
        bookings = bookings.filter(slot__date=day)
    if starts:
        bookings = bookings.filter(slot__starts=starts)
    return queryset.filter(Exists(bookings))


def _hh_mm(field: str) -> Func:
    return Func(F(field), Value("HH24:MI"), function="to_char", output_field=CharField())


def booked_slot_text() -> Subquery:
    """For a shipments query: its order's booked slot at its warehouse as text
    (date, start and end of the slot), or NULL."""
    return Subquery(
        SlotBooking.objects.filter(
            order_id=OuterRef("order_id"), warehouse_id=OuterRef("warehouse_id")
        )
        .annotate(
            text=Concat(
                Func(
                    F("slot__date"),
                    Value("YYYY-MM-DD"),
                    function="to_char",
                    output_field=CharField(),
                ),
                Value(" "),
                _hh_mm("slot__starts"),
                Value(EN_DASH),
                _hh_mm("slot__ends"),
                output_field=CharField(),
            )
        )
        .values("text")[:1],
        output_field=CharField(),
    )
