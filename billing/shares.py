"""A document's share of an order line: all of it, or some units of it rounded so that the
documents of an order add up to the order to the cent."""

from dataclasses import dataclass, replace
from decimal import Decimal

from oms.money import round_money
from orders.models import OrderLine


@dataclass(frozen=True)
class Share:
    """Some units of one order line on a document, with their amounts."""

    line_no: int
    sku: str
    description: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.net + self.tax

    def minus(self, other: "Share") -> "Share":
        return replace(
            self,
            quantity=self.quantity - other.quantity,
            discount=self.discount - other.discount,
            net=self.net - other.net,
            tax=self.tax - other.tax,
        )

    def plus(self, other: "Share") -> "Share":
        return replace(
            self,
            quantity=self.quantity + other.quantity,
            discount=self.discount + other.discount,
            net=self.net + other.net,
            tax=self.tax + other.tax,
        )


def whole_line(line: OrderLine, *, prices_include_tax: bool) -> Share:
    """All of an order line, as priced (orders.pricing): the discount is what lies between
    the list amount and the discounted amount."""
    discounted = line.line_total if prices_include_tax else line.net_amount
    return Share(
        line_no=line.line_no,
        sku=line.product.sku,
        description=line.description,
        quantity=line.quantity,
        unit_price=line.unit_price,
        tax_rate=line.tax_rate,
        discount=round_money(line.unit_price * line.quantity) - discounted,
        net=line.net_amount,
        tax=line.tax_amount,
    )


def part_of(whole: Share, quantity: int, taken: Share | None = None) -> Share:
    """`quantity` units of `whole`, after earlier documents took `taken`. The part that takes
    the last units takes what is left; the others are rounded with OMS_ROUNDING."""
    already = taken.quantity if taken else 0
    if already + quantity == whole.quantity:
        return whole.minus(taken) if taken else whole

    def share(amount: Decimal) -> Decimal:
        return round_money(amount * quantity / whole.quantity)

    return replace(
        whole,
        quantity=quantity,
        discount=share(whole.discount),
        net=share(whole.net),
        tax=share(whole.tax),
    )
