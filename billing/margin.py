"""Cost and margin: what an order earned after the goods, the carriage and the payment fees.

One SQL statement (`FACTS`) makes the figures of every order line; the order page's panel
groups them by order, the margin report by product, category, customer, region, channel or
month. Both read through `oms.db.analytics_db()` (the replica when one is configured).

- Revenue, net of tax: the issued invoices' net amounts (goods and the shipping fee charged)
  less the credit notes'; an order not invoiced yet counts its own net amounts instead (the
  panel says which). A cancelled order without invoices earned nothing.
- Cost of goods: Σ shipment line unit cost × quantity (fixed at dispatch, each line rounded to
  the cent), for the parcels that left and did not come back into stock.
- Shipping cost: the carrier's quote recorded at dispatch, without its COD part.
- Payment fees: the carrier's COD fee (the one on its remittance statement once recorded,
  the quoted one until then) and the other payments' fees (card...), each payment's fee shared
  over the invoices it paid by the amounts allocated.
- The order-level figures (shipping fee, shipping cost, payment fees) are shared over the
  order's lines by their revenue (by line count when the revenue is zero), so a report by
  product adds up to the same total as one by customer.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment
from billing.models.payments import PaymentAllocation
from customers.models import Customer
from customers.selectors import own_customers_only
from inventory.models import Category, Product
from oms.db import analytics_db
from oms.types import AnyUser
from orders.models import Order, OrderLine
from shipping.models import ReturnReceipt, Shipment, ShipmentLine

VIEW_MARGIN = "billing.view_margin"
CENT = Decimal("0.01")
ZERO = Decimal(0)

GROUPS = {
    "product": _("Product"),
    "category": _("Category"),
    "customer": _("Customer"),
    "region": _("Province"),
    "channel": _("Channel"),
    "month": _("Month"),
}

# SQL of each grouping: (key, label).
_GROUP_SQL = {
    "order": ("f.order_id::text", "o.number"),
    "product": ("p.sku", "p.sku || ' ' || p.name"),
    "category": ("COALESCE(cat.id::text, '')", "COALESCE(cat.name, '')"),
    "customer": ("c.id::text", "c.name"),
    "region": ("o.ship_region", "o.ship_region"),
    "channel": ("o.channel", "o.channel"),
    "month": ("to_char(f.order_day, 'YYYY-MM')", "to_char(f.order_day, 'YYYY-MM')"),
}


def _tables() -> dict[str, str]:
    models = {
        "order": Order,
        "line": OrderLine,
        "invoice": Invoice,
        "invoice_line": InvoiceLine,
        "credit": CreditNote,
        "credit_line": CreditNoteLine,
        "payment": Payment,
        "allocation": PaymentAllocation,
        "shipment": Shipment,
        "shipment_line": ShipmentLine,
        "return_receipt": ReturnReceipt,
        "product": Product,
        "category": Category,
        "customer": Customer,
    }
    return {name: model._meta.db_table for name, model in models.items()}


# The figures of each order line of the chosen orders. `{where}` chooses the orders (the alias
# `o`), over the orders that sold something: goods left, or an invoice was issued.
FACTS = """
WITH orders AS (
    SELECT o.id, o.status, o.shipping_fee, (o.created_at AT TIME ZONE %(tz)s)::date AS order_day
      FROM {order} o JOIN {customer} c ON c.id = o.customer_id
     WHERE {where}
       AND (EXISTS (SELECT 1 FROM {shipment} s
                     WHERE s.order_id = o.id AND s.dispatched_at IS NOT NULL)
            OR EXISTS (SELECT 1 FROM {invoice} i
                        WHERE i.order_id = o.id AND i.status <> 'held'))
),
invoiced AS (
    SELECT i.order_id, SUM(i.shipping_fee) AS shipping_fee
      FROM {invoice} i JOIN orders ON orders.id = i.order_id
     WHERE i.status <> 'held' GROUP BY i.order_id
),
credited AS (
    SELECT cn.order_id, SUM(cn.shipping_fee) AS shipping_fee
      FROM {credit} cn JOIN orders ON orders.id = cn.order_id GROUP BY cn.order_id
),
invoice_lines AS (
    SELECT i.order_id, il.order_line_no AS line_no, SUM(il.net_amount) AS net
      FROM {invoice_line} il JOIN {invoice} i ON i.id = il.invoice_id
      JOIN orders ON orders.id = i.order_id
     WHERE i.status <> 'held' GROUP BY 1, 2
),
credit_lines AS (
    SELECT cn.order_id, cl.order_line_no AS line_no, SUM(cl.net_amount) AS net
      FROM {credit_line} cl JOIN {credit} cn ON cn.id = cl.credit_note_id
      JOIN orders ON orders.id = cn.order_id GROUP BY 1, 2
),
goods AS (
    SELECT sl.order_line_id,
           SUM(ROUND(sl.unit_cost * sl.quantity, 2)) AS cost,
           COUNT(*) FILTER (WHERE sl.unit_cost IS NULL) AS uncosted
      FROM {shipment_line} sl JOIN {shipment} s ON s.id = sl.shipment_id
      JOIN orders ON orders.id = s.order_id
     WHERE s.dispatched_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM {return_receipt} r WHERE r.shipment_id = s.id)
     GROUP BY 1
),
cod_paid AS (
    SELECT p.shipment_id, SUM(p.fee) AS fee
      FROM {payment} p JOIN {shipment} s ON s.id = p.shipment_id
      JOIN orders ON orders.id = s.order_id
     WHERE p.method = 'cod' AND p.kind = 'receipt' GROUP BY 1
),
carriage AS (
    SELECT s.order_id,
           SUM(COALESCE(s.shipping_cost, 0) - COALESCE(s.cod_fee, 0)) AS shipping_cost,
           SUM(COALESCE(cod_paid.fee, s.cod_fee, 0)) AS cod_fee,
           COUNT(*) FILTER (WHERE s.cod_amount > 0 AND cod_paid.fee IS NULL) AS cod_expected
      FROM {shipment} s JOIN orders ON orders.id = s.order_id
      LEFT JOIN cod_paid ON cod_paid.shipment_id = s.id
     WHERE s.dispatched_at IS NOT NULL GROUP BY 1
),
paid_fees AS (
    SELECT i.order_id,
           SUM(p.fee * a.amount / p.amount) FILTER (WHERE p.method = 'card') AS card_fee,
           SUM(p.fee * a.amount / p.amount) FILTER (WHERE p.method <> 'card') AS other_fee
      FROM {allocation} a JOIN {payment} p ON p.id = a.payment_id
      JOIN {invoice} i ON i.id = a.invoice_id JOIN orders ON orders.id = i.order_id
     WHERE p.method <> 'cod' AND p.amount > 0 AND p.fee > 0 GROUP BY 1
),
lines AS (
    SELECT l.id AS line_id, l.order_id, l.product_id, orders.order_day,
           (invoiced.order_id IS NOT NULL) AS invoiced,
           CASE WHEN invoiced.order_id IS NOT NULL
                THEN COALESCE(il.net, 0) - COALESCE(cl.net, 0)
                WHEN orders.status = 'cancelled' THEN 0
                ELSE l.net_amount END AS goods_revenue,
           COALESCE(goods.cost, 0) AS goods_cost,
           COALESCE(goods.uncosted, 0) AS uncosted
      FROM {line} l JOIN orders ON orders.id = l.order_id
      LEFT JOIN invoiced ON invoiced.order_id = l.order_id
      LEFT JOIN invoice_lines il ON il.order_id = l.order_id AND il.line_no = l.line_no
      LEFT JOIN credit_lines cl ON cl.order_id = l.order_id AND cl.line_no = l.line_no
      LEFT JOIN goods ON goods.order_line_id = l.id
),
per_order AS (
    SELECT lines.order_id, SUM(lines.goods_revenue) AS goods_revenue, COUNT(*) AS lines,
           bool_or(lines.invoiced) AS invoiced,
           CASE WHEN bool_or(lines.invoiced)
                THEN COALESCE(MAX(invoiced.shipping_fee), 0) - COALESCE(MAX(credited.shipping_fee), 0)
                WHEN MAX(orders.status) = 'cancelled' THEN 0
                ELSE MAX(orders.shipping_fee) END AS shipping_revenue
      FROM lines JOIN orders ON orders.id = lines.order_id
      LEFT JOIN invoiced ON invoiced.order_id = lines.order_id
      LEFT JOIN credited ON credited.order_id = lines.order_id
     GROUP BY lines.order_id
),
f AS (
    SELECT lines.*, per_order.invoiced AS order_invoiced,
           CASE WHEN per_order.goods_revenue <> 0
                THEN lines.goods_revenue / per_order.goods_revenue
                ELSE 1.0 / per_order.lines END AS share,
           per_order.shipping_revenue,
           COALESCE(carriage.shipping_cost, 0) AS order_shipping_cost,
           COALESCE(carriage.cod_fee, 0) AS order_cod_fee,
           COALESCE(carriage.cod_expected, 0) AS cod_expected,
           COALESCE(paid_fees.card_fee, 0) AS order_card_fee,
           COALESCE(paid_fees.other_fee, 0) AS order_other_fee
      FROM lines JOIN per_order ON per_order.order_id = lines.order_id
      LEFT JOIN carriage ON carriage.order_id = lines.order_id
      LEFT JOIN paid_fees ON paid_fees.order_id = lines.order_id
)
SELECT {key} AS key, MIN({label}) AS label,
       SUM(f.goods_revenue + f.share * f.shipping_revenue) AS revenue,
       SUM(f.goods_cost) AS goods_cost,
       SUM(f.share * f.order_shipping_cost) AS shipping_cost,
       SUM(f.share * f.order_cod_fee) AS cod_fee,
       SUM(f.share * f.order_card_fee) AS card_fee,
       SUM(f.share * f.order_other_fee) AS other_fee,
       SUM(f.uncosted) AS uncosted,
       COUNT(DISTINCT f.order_id) AS orders,
       COUNT(DISTINCT f.order_id) FILTER (WHERE NOT f.order_invoiced) AS not_invoiced,
       MAX(f.cod_expected) AS cod_expected
  FROM f JOIN {order} o ON o.id = f.order_id
  JOIN {customer} c ON c.id = o.customer_id
  JOIN {product} p ON p.id = f.product_id
  LEFT JOIN {category} cat ON cat.id = p.category_id
 GROUP BY 1
 ORDER BY {order_by}
"""


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Margin:
    """The figures of one order, or of one group of the report, to the cent."""

    key: str = ""
    label: str = ""
    revenue: Decimal = ZERO
    goods_cost: Decimal = ZERO
    shipping_cost: Decimal = ZERO
    cod_fee: Decimal = ZERO
    card_fee: Decimal = ZERO
    other_fee: Decimal = ZERO
    uncosted: int = 0
    orders: int = 0
    not_invoiced: int = 0
    cod_expected: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def payment_fees(self) -> Decimal:
        return self.cod_fee + self.card_fee + self.other_fee

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.goods_cost - self.shipping_cost - self.payment_fees

    @property
    def margin_percent(self) -> Decimal | None:
        if not self.revenue:
            return None
        return (self.margin * 100 / self.revenue).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def invoiced(self) -> bool:
        return self.not_invoiced == 0

    def add(self, other: "Margin") -> None:
        for name in ("revenue", "goods_cost", "shipping_cost", "cod_fee", "card_fee", "other_fee"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("uncosted", "orders", "not_invoiced"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def margin_rows(
    *,
    user: AnyUser | None,
    group: str,
    start: date | None = None,
    end: date | None = None,
    order_id: int | None = None,
) -> list[Margin]:
    """The margin of the chosen orders grouped by `group` (a GROUPS key, or "order"), biggest
    revenue first; orders placed from `start` to `end` (inclusive). One statement."""
    key, label = _GROUP_SQL[group]
    where, params = ["TRUE"], {"tz": settings.TIME_ZONE}
    if order_id is not None:
        where.append("o.id = %(order_id)s")
        params["order_id"] = order_id
    if start is not None:
        where.append("o.created_at >= %(start)s")
        params["start"] = _day_start(start)
    if end is not None:
        where.append("o.created_at < %(end)s")
        params["end"] = _day_start(end + timedelta(days=1))
    if user is not None and own_customers_only(user):
        where.append("c.salesperson_id = %(user)s")
        params["user"] = user.pk
    order_by = "1" if group == "month" else "3 DESC, 1"
    sql = FACTS.format(
        where=" AND ".join(where), key=key, label=label, order_by=order_by, **_tables()
    )
    with connections[analytics_db()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        Margin(
            key=row[0],
            label=row[1],
            revenue=_money(row[2]),
            goods_cost=_money(row[3]),
            shipping_cost=_money(row[4]),
            cod_fee=_money(row[5]),
            card_fee=_money(row[6]),
            other_fee=_money(row[7]),
            uncosted=int(row[8]),
            orders=int(row[9]),
            not_invoiced=int(row[10]),
            cod_expected=int(row[11] or 0),
        )
        for row in rows
    ]


def order_margin(order: Order) -> Margin | None:
    """The order's margin, or None while it has sold nothing (no goods left, no invoice)."""
    rows = margin_rows(user=None, group="order", order_id=order.pk)
    return rows[0] if rows else None


def totals(rows: list[Margin]) -> Margin:
    total = Margin(key="", label=str(_("Total")))
    for row in rows:
        total.add(row)
    return total
