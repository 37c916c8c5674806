"""RFM segments and tiers, computed nightly from the orders of the last 12 months and written
onto the customers through customers.services.customer_segments_write.

Each customer who bought in the 12 months gets three scores from 1 to 5: recency (days since
the last order; recent is 5), frequency (orders) and monetary (net spend). A score is the
customer's quintile: 1 + floor(5 × percent_rank), so tied customers share a score (the lower
one; forty customers with one order are all F=1, not spread over quintiles by chance), the
least recent/frequent/spending customer is 1 and the top fifth is 5.

Segments (`segment_for`), first rule that matches:

| segment     | rule                       | meaning                                   |
|-------------|----------------------------|-------------------------------------------|
| champions   | R ≥ 4 and F ≥ 4            | bought recently and often                 |
| new         | R ≥ 4 and F = 1            | a recent first order                      |
| loyal       | R ≥ 3 and F ≥ 3            | buys regularly                            |
| potential   | R ≥ 3                      | recent, few orders yet                    |
| can't lose  | R = 1 and (F ≥ 4 or M ≥ 4) | used to buy often or much, long silent    |
| at risk     | R ≤ 2 and F ≥ 3            | used to buy regularly, quiet lately       |
| hibernating | R = 2                      | few orders, some time ago                 |
| lost        | otherwise                  | few orders, long ago                      |

Customers without an order in 12 months have no segment and no 12-month spend; the tier
follows the spend (customers.models.TierThreshold).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connections

from customers.choices import RfmSegment
from customers.services import CustomerScores, customer_segments_write
from oms.db import analytics_db
from orders.analytics import NOT_SALES
from orders.models import Order

WINDOW_DAYS = 365


def segment_for(recency: int, frequency: int, monetary: int) -> RfmSegment:
    """The named segment of three quintile scores (1-5); see the module's table."""
    r, f, m = recency, frequency, monetary
    if r >= 4 and f >= 4:
        return RfmSegment.CHAMPIONS
    if r >= 4 and f == 1:
        return RfmSegment.NEW
    if r >= 3 and f >= 3:
        return RfmSegment.LOYAL
    if r >= 3:
        return RfmSegment.POTENTIAL
    if r == 1 and (f >= 4 or m >= 4):
        return RfmSegment.CANT_LOSE
    if f >= 3:
        return RfmSegment.AT_RISK
    if r == 2:
        return RfmSegment.HIBERNATING
    return RfmSegment.LOST


_SCORES_SQL = f"""
    WITH per_customer AS (
        SELECT customer_id, MAX(created_at) AS last_order, COUNT(*) AS orders,
               SUM(subtotal) AS spend
          FROM {Order._meta.db_table}
         WHERE created_at >= %(since)s AND created_at < %(until)s
           AND status <> ALL(%(not_sales)s)
         GROUP BY customer_id
    )
    SELECT customer_id, spend,
           LEAST(5, 1 + FLOOR(5 * PERCENT_RANK() OVER (ORDER BY last_order)))::int,
           LEAST(5, 1 + FLOOR(5 * PERCENT_RANK() OVER (ORDER BY orders)))::int,
           LEAST(5, 1 + FLOOR(5 * PERCENT_RANK() OVER (ORDER BY spend)))::int
      FROM per_customer
     ORDER BY customer_id
"""


def customer_scores(*, now=None) -> list[CustomerScores]:
    """Every customer's scores over the 12 months before `now`; one statement."""
    from django.utils import timezone

    now = now or timezone.now()
    with connections[analytics_db()].cursor() as cursor:
        cursor.execute(
            _SCORES_SQL,
            {"since": now - timedelta(days=WINDOW_DAYS), "until": now, "not_sales": NOT_SALES},
        )
        return [
            CustomerScores(
                customer_id=customer_id,
                segment=segment_for(r, f, m).value,
                score=f"{r}{f}{m}",
                spend_12m=spend or Decimal("0.00"),
            )
            for customer_id, spend, r, f, m in cursor.fetchall()
        ]


def customer_analytics_refresh(*, now=None) -> dict[str, int]:
    """The nightly job: segments, spend and tiers of every customer."""
    from django.utils import timezone

    now = now or timezone.now()
    return customer_segments_write(actor=None, scores=customer_scores(now=now), computed_at=now)
