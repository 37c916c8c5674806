"""Services for the rules that price and review orders: price lists with their prices,
promotions, shipping fee rules and approval rules.

Rules within one row live in the model's clean() (run by model_save's full_clean); rules
across rows (one active price list per group, quantity breaks of a product, overlapping
shipping bands) live here. Every write runs in one transaction and leaves one audit row through
oms.services, so a bad input changes nothing and a good one says who changed what.
Rules are deactivated rather than deleted: orders priced or reviewed by them keep making sense.
"""

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from inventory.models import Product
from oms.services import audit_record, model_save
from oms.texts import money_text, number_text
from orders.models import ApprovalRule, PriceList, PriceListItem, Promotion, ShippingRule

PRICE_LIST_FIELDS = ("name", "customer_group", "prices_include_tax")
PROMOTION_FIELDS = (
    "name",
    "kind",
    "value",
    "scope",
    "product",
    "category",
    "customer_tier",
    "starts_on",
    "ends_on",
    "stackable",
)
SHIPPING_RULE_FIELDS = ("name", "region", "max_weight_kg", "base_fee", "per_kg_fee", "free_above")
APPROVAL_RULE_FIELDS = ("name", "condition", "threshold", "required_role", "level")
MAX_QUANTITY = 1_000_000
MAX_IMPORT_ERRORS = 10

M = TypeVar("M", bound=Model)


def _pick(data: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in fields}


def _locked(instance: M) -> M:
    # Forms may have changed the instance in memory: read the row as stored, and lock it.
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def _set_active(*, actor, instance: M, active: bool, action: str) -> M:
    instance = _locked(instance)
    return model_save(actor=actor, instance=instance, data={"is_active": active}, action=action)


# ---------------------------------------------------------------- price lists


def _active_list_for(group: str, *, excluding: int | None = None) -> PriceList | None:
    lists = PriceList.objects.filter(customer_group=group, is_active=True)
    if excluding is not None:
        lists = lists.exclude(pk=excluding)
    return lists.first()


@transaction.atomic
def price_list_save(*, actor, price_list: PriceList | None, data: dict[str, Any]) -> PriceList:
    """Create or change a price list's header.

    A group has one active list. A new list for a group that already has one starts inactive,
    so next season's prices can be prepared and switched on with price_list_activate().
    """
    data = _pick(data, PRICE_LIST_FIELDS)
    if price_list is None:
        instance = PriceList()
        group = data.get("customer_group")
        data["is_active"] = bool(group) and _active_list_for(str(group)) is None
        action = "price_list.create"
    else:
        instance = _locked(price_list)
        group = data.get("customer_group", instance.customer_group)
        if instance.is_active and group != instance.customer_group:
            other = _active_list_for(group, excluding=instance.pk)
            if other is not None:
                raise ValidationError(
                    {
                        "customer_group": _(
                            "%(name)s is already the active price list of this group. "
                            "Deactivate this list first, or deactivate that one."
                        )
                        % {"name": other.name}
                    }
                )
        action = "price_list.update"
    return model_save(actor=actor, instance=instance, data=data, action=action)


@transaction.atomic
def price_list_activate(*, actor, price_list: PriceList) -> PriceList | None:
    """Make this the group's price list; the list it replaces is deactivated in the same step.

    Returns the replaced list, if there was one.
    """
    price_list = _locked(price_list)
    replaced = _active_list_for(price_list.customer_group, excluding=price_list.pk)
    if replaced is not None:
        _set_active(actor=actor, instance=replaced, active=False, action="price_list.deactivate")
    _set_active(actor=actor, instance=price_list, active=True, action="price_list.activate")
    return replaced


@transaction.atomic
def price_list_deactivate(*, actor, price_list: PriceList) -> PriceList:
    return _set_active(
        actor=actor, instance=price_list, active=False, action="price_list.deactivate"
    )


@dataclass(frozen=True)
class Break:
    """One quantity break as typed: either part may be missing until validated."""

    min_quantity: int | None
    unit_price: Decimal | None


def _product_by_sku(sku: str, *, field: str = "sku") -> Product:
    sku = (sku or "").strip().upper()
    if not sku:
        raise ValidationError({field: _("Enter a SKU.")})
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise ValidationError({field: _("No product has the SKU %(sku)s.") % {"sku": sku}})
    return product


def check_breaks(breaks: Sequence[Break]) -> list[tuple[int, Decimal]]:
    """The filled-in breaks as (from quantity, unit price), or a ValidationError on `breaks`.

    Quantities go up from row to row, each at least 1 and none twice; every price is 0 or more.
    Empty rows are skipped, so a form may offer spare ones.
    """
    rows = [b for b in breaks if b.min_quantity is not None or b.unit_price is not None]
    if not rows:
        raise ValidationError({"breaks": _("Enter at least one price.")})
    result: list[tuple[int, Decimal]] = []
    for row in rows:
        if row.min_quantity is None or row.unit_price is None:
            raise ValidationError(
                {"breaks": _("Each break needs both a from-quantity and a unit price.")}
            )
        if not 1 <= row.min_quantity <= MAX_QUANTITY:
            raise ValidationError(
                {
                    "breaks": _("Enter a from-quantity between 1 and %(max)s.")
                    % {"max": MAX_QUANTITY}
                }
            )
        if row.unit_price < 0:
            raise ValidationError({"breaks": _("Enter a unit price of 0 or more.")})
        if result and row.min_quantity == result[-1][0]:
            raise ValidationError(
                {
                    "breaks": _("The quantity %(quantity)s has two prices: keep one.")
                    % {"quantity": row.min_quantity}
                }
            )
        if result and row.min_quantity < result[-1][0]:
            raise ValidationError(
                {
                    "breaks": _(
                        "Quantity breaks go up from row to row: %(quantity)s comes after "
                        "%(previous)s."
                    )
                    % {"quantity": row.min_quantity, "previous": result[-1][0]}
                }
            )
        result.append((row.min_quantity, row.unit_price))
    return result


def _breaks_text(pairs: Iterable[tuple[int, Decimal]]) -> str:
    """A product's breaks as the audit row keeps them: "1: 100.00, 10: 90.00"."""
    return ", ".join(f"{q}: {p}" for q, p in pairs)


BREAK_TEXT = re.compile(r"^(\d+): (\d+(?:\.\d+)?)$")


def breaks_worded(text: Any) -> str:
    """The breaks of an audit row (_breaks_text) for the reader: "¥100.00 from 1, ¥90.00 from
    10", money and quantities in the reader's locale; other text is shown as it is."""
    matches = [BREAK_TEXT.match(part) for part in str(text).split(", ")]
    if not all(matches):
        return str(text)
    return pgettext("list separator", ", ").join(
        _("%(price)s from %(quantity)s")
        % {"price": money_text(m[2]), "quantity": number_text(m[1])}
        for m in matches
        if m is not None
    )


def _replace_breaks(
    price_list: PriceList, product: Product, pairs: list[tuple[int, Decimal]]
) -> tuple[str, str]:
    """Replace the product's breaks in the list; return (old, new) for the audit row."""
    items = PriceListItem.objects.filter(price_list=price_list, product=product)
    old = _breaks_text(items.order_by("min_quantity").values_list("min_quantity", "unit_price"))
    items.delete()
    new_items = [
        PriceListItem(price_list=price_list, product=product, min_quantity=q, unit_price=p)
        for q, p in pairs
    ]
    for item in new_items:
        item.full_clean(exclude=["price_list", "product"], validate_unique=False)
    PriceListItem.objects.bulk_create(new_items)
    return old, _breaks_text(pairs)


@transaction.atomic
def price_list_prices_set(
    *, actor, price_list: PriceList, sku: str, breaks: Sequence[Break]
) -> Product:
    """Give a product exactly these quantity breaks in the list (its old ones are replaced)."""
    product = _product_by_sku(sku)
    pairs = check_breaks(breaks)
    price_list = _locked(price_list)  # one writer per list at a time
    old, new = _replace_breaks(price_list, product, pairs)
    if old != new:
        audit_record(
            actor=actor,
            action="price_list.prices",
            obj=price_list,
            changes={product.sku: [old, new] if old else new},
        )
    return product


@transaction.atomic
def price_list_prices_remove(*, actor, price_list: PriceList, product: Product) -> None:
    """Take a product out of the list: orders of the group can no longer be priced for it."""
    price_list = _locked(price_list)
    items = PriceListItem.objects.filter(price_list=price_list, product=product)
    old = _breaks_text(items.order_by("min_quantity").values_list("min_quantity", "unit_price"))
    if not old:
        return
    items.delete()
    audit_record(
        actor=actor, action="price_list.prices", obj=price_list, changes={product.sku: [old, ""]}
    )


def _number(text: str) -> Decimal | None:
    # Spreadsheets add currency signs and thousands separators; the CSV export adds neither.
    cleaned = text.strip().replace("¥", "").replace("￥", "").replace(",", "").replace(" ", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_price_rows(text: str) -> dict[str, list[Break]]:
    """Pasted lines `SKU, from quantity, unit price` (commas or tabs) as breaks per SKU.

    A line with two cells is a price from quantity 1. A first line whose numbers do not parse
    is a header and skipped. Errors name their line numbers; nothing is returned with errors.
    """
    lines = text.splitlines()
    delimiter = "\t" if any("\t" in line for line in lines) else ","
    per_sku: dict[str, list[Break]] = {}
    errors: list[str] = []
    for number, cells in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if len(cells) < 2:
            errors.append(
                _("Line %(line)s: enter SKU, from quantity and unit price.") % {"line": number}
            )
            continue
        sku = cells[0].upper()
        quantity_text, price_text = (cells[1], cells[2]) if len(cells) >= 3 else ("1", cells[1])
        quantity, price = _number(quantity_text), _number(price_text)
        if number == 1 and (quantity is None or price is None):
            continue  # a header line
        if quantity is None or quantity != quantity.to_integral_value():
            errors.append(
                _("Line %(line)s: the from quantity must be a whole number.") % {"line": number}
            )
            continue
        if price is None:
            errors.append(_("Line %(line)s: the unit price must be a number.") % {"line": number})
            continue
        per_sku.setdefault(sku, []).append(Break(int(quantity), price))
    if not per_sku and not errors:
        errors.append(_("Paste at least one line."))
    if errors:
        raise ValidationError({"text": errors[:MAX_IMPORT_ERRORS]})
    return per_sku


@transaction.atomic
def price_list_import(*, actor, price_list: PriceList, text: str) -> int:
    """Set the prices of every SKU in the pasted text; other products keep theirs.

    All or nothing: one unknown SKU or bad break and no price changes. Returns the number of
    products whose prices were set.
    """
    per_sku = parse_price_rows(text)
    products = {p.sku: p for p in Product.objects.filter(sku__in=per_sku)}
    errors = [
        _("No product has the SKU %(sku)s.") % {"sku": sku}
        for sku in per_sku
        if sku not in products
    ]
    checked: dict[str, list[tuple[int, Decimal]]] = {}
    for sku, breaks in per_sku.items():
        # Pasted rows may come in any order; a quantity given twice is still an error.
        try:
            checked[sku] = check_breaks(sorted(breaks, key=lambda b: b.min_quantity or 0))
        except ValidationError as exc:
            errors.extend(f"{sku}: {message}" for message in exc.messages)
    if errors:
        raise ValidationError({"text": errors[:MAX_IMPORT_ERRORS]})
    price_list = _locked(price_list)
    changes: dict[str, Any] = {}
    for sku, pairs in checked.items():
        old, new = _replace_breaks(price_list, products[sku], pairs)
        if old != new:
            changes[sku] = [old, new] if old else new
    if changes:
        audit_record(actor=actor, action="price_list.import", obj=price_list, changes=changes)
    return len(checked)


# ---------------------------------------------------------------- promotions


@transaction.atomic
def promotion_save(*, actor, promotion: Promotion | None, data: dict[str, Any]) -> Promotion:
    """Create or change a promotion; its dates, value and target are checked by the model."""
    return model_save(
        actor=actor,
        instance=_locked(promotion) if promotion else Promotion(),
        data=_pick(data, PROMOTION_FIELDS),
        action="promotion.update" if promotion else "promotion.create",
    )


@transaction.atomic
def promotion_set_active(*, actor, promotion: Promotion, active: bool) -> Promotion:
    return _set_active(
        actor=actor,
        instance=promotion,
        active=active,
        action="promotion.activate" if active else "promotion.deactivate",
    )


# ---------------------------------------------------------------- shipping fee rules


@transaction.atomic
def shipping_rule_save(*, actor, rule: ShippingRule | None, data: dict[str, Any]) -> ShippingRule:
    """Create or change a shipping fee rule.

    Two active rules for the same region and weight band would leave the fee to chance (the
    older one wins), so that is refused.
    """
    instance = _locked(rule) if rule else ShippingRule()
    data = _pick(data, SHIPPING_RULE_FIELDS)
    if instance.is_active:
        _check_band_free(
            region=data.get("region", instance.region),
            max_weight_kg=data.get("max_weight_kg", instance.max_weight_kg),
            excluding=instance.pk,
        )
    return model_save(
        actor=actor,
        instance=instance,
        data=data,
        action="shipping_rule.update" if rule else "shipping_rule.create",
    )


def _check_band_free(*, region: str, max_weight_kg: Decimal | None, excluding: int | None) -> None:
    same_band = (
        {"max_weight_kg__isnull": True}
        if max_weight_kg is None
        else {"max_weight_kg": max_weight_kg}
    )
    rules = ShippingRule.objects.filter(is_active=True, region=region or "", **same_band)
    if excluding is not None:
        rules = rules.exclude(pk=excluding)
    clash = rules.first()
    if clash is not None:
        raise ValidationError(
            {
                "max_weight_kg": _(
                    "The active rule %(name)s already covers this region and weight."
                )
                % {"name": clash.name}
            }
        )


@transaction.atomic
def shipping_rule_set_active(*, actor, rule: ShippingRule, active: bool) -> ShippingRule:
    if active:
        locked = _locked(rule)
        _check_band_free(
            region=locked.region, max_weight_kg=locked.max_weight_kg, excluding=locked.pk
        )
    return _set_active(
        actor=actor,
        instance=rule,
        active=active,
        action="shipping_rule.activate" if active else "shipping_rule.deactivate",
    )


# ---------------------------------------------------------------- approval rules


@transaction.atomic
def approval_rule_save(*, actor, rule: ApprovalRule | None, data: dict[str, Any]) -> ApprovalRule:
    """Create or change an approval rule; the amount rule's amount is checked by the model.

    Orders already in review keep the approvals they were given; the change applies from the
    next submission.
    """
    return model_save(
        actor=actor,
        instance=_locked(rule) if rule else ApprovalRule(),
        data=_pick(data, APPROVAL_RULE_FIELDS),
        action="approval_rule.update" if rule else "approval_rule.create",
    )


@transaction.atomic
def approval_rule_set_active(*, actor, rule: ApprovalRule, active: bool) -> ApprovalRule:
    return _set_active(
        actor=actor,
        instance=rule,
        active=active,
        action="approval_rule.activate" if active else "approval_rule.deactivate",
    )
