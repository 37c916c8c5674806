"""The warehouse's priority score: customer tier, urgency, amount and a manual boost.

Weights live in settings.OMS_PRIORITY; every point comes with a reason that the order page
and the queue show, so nobody has to guess why an order is ahead.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings

DEFAULT_WEIGHTS = {
    "tier": {"standard": 0, "silver": 10, "gold": 20, "platinum": 30},
    "overdue": 50,  # requested date today or past
    "due_in_2_days": 30,
    "due_in_7_days": 15,
    "amount_per_1000": 1,  # points per 1,000 of order total
    "amount_cap": 20,
    "boost_unit": 1,  # a manual boost of +10 adds 10 points
}


def weights() -> dict:
    return {**DEFAULT_WEIGHTS, **getattr(settings, "OMS_PRIORITY", {})}


def compute_priority(
    *,
    tier: str,
    requested: date | None,
    total: Decimal,
    boost: int,
    today: date,
    entered: date | None = None,
) -> tuple[int, list[dict]]:
    """Return (score, reasons); each reason is {"factor", "points", "value"}.

    A requested date that had already passed on `entered`, the day the order came in (a shop
    platform's order delivered late), earns no urgency: it says nothing about how urgent the
    order is now, and a date in the past is otherwise refused on entry. It shows as a reason
    of 0 points so the desk sees why, and can agree a new date or boost the order."""
    w = weights()
    reasons: list[dict] = []
    tier_points = w["tier"].get(tier, 0)
    if tier_points:
        reasons.append({"factor": "tier", "points": tier_points, "value": tier})
    if requested is not None and entered is not None and requested < entered:
        reasons.append({"factor": "passed_on_arrival", "points": 0, "value": str(requested)})
    elif requested is not None:
        days = (requested - today).days
        if days <= 0:
            urgency = w["overdue"]
        elif days <= 2:
            urgency = w["due_in_2_days"]
        elif days <= 7:
            urgency = w["due_in_7_days"]
        else:
            urgency = 0
        if urgency:
            reasons.append({"factor": "due", "points": urgency, "value": days})
    amount_points = min(int(total // 1000) * w["amount_per_1000"], w["amount_cap"])
    if amount_points:
        reasons.append({"factor": "amount", "points": amount_points, "value": str(total)})
    if boost:
        reasons.append({"factor": "boost", "points": boost * w["boost_unit"], "value": boost})
    return sum(r["points"] for r in reasons), reasons
