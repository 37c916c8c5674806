"""What the delivery slot and store pickup tests share."""

import re
from datetime import date, time, timedelta

from django.utils import timezone

from oms.models import OutboxMessage
from oms.workdays import working_calendar
from shipping import pickup, slots
from shipping.models import PickupPoint

MORNING, AFTERNOON = time(9), time(14)
MORNING_LABEL, AFTERNOON_LABEL = "09:00\u201312:00", "14:00\u201318:00"


def week_pattern(warehouse, *, capacity=2, starts=(MORNING, AFTERNOON)):
    """Every weekday offers a morning and an afternoon slot (capacity each)."""
    ends = {MORNING: time(12), AFTERNOON: time(18), time(18): time(21)}
    for weekday in range(7):
        for start in starts:
            slots.slot_pattern_save(
                actor=None,
                pattern=None,
                data={
                    "warehouse": warehouse,
                    "weekday": weekday,
                    "starts": start,
                    "ends": ends[start],
                    "capacity": capacity,
                    "active": True,
                },
            )


def working_day_ahead(n=2) -> date:
    today = timezone.localdate()
    return working_calendar(today, today + timedelta(days=60)).add_working_days(today, n)


def day_off_ahead() -> date:
    today = timezone.localdate()
    calendar = working_calendar(today, today + timedelta(days=60))
    day = today + timedelta(days=1)
    while calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def pickup_point(warehouse, name="徐汇门店 Xuhui store") -> PickupPoint:
    return pickup.pickup_point_save(
        actor=None,
        point=None,
        data={
            "name": name,
            "kind": "store",
            "warehouse": warehouse,
            "region": "SH",
            "city": "上海",
            "address": "漕溪北路 88 号",
            "opening_hours": "Mon-Sat 09:00-20:00",
            "active": True,
        },
    )


def sent_pickup_code(shipment) -> str:
    """The code in the newest ready-for-pickup message to the shipment's customer."""
    message = (
        OutboxMessage.objects.filter(event_code="shipment.ready_for_pickup")
        .filter(body__contains=shipment.order.number)
        .order_by("-id")
        .first()
    )
    assert message is not None, "no pickup message sent"
    found = re.findall(r"(?<!\d)\d{8}(?!\d)", message.body)
    assert found, message.body
    return found[-1]
