"""Tax classes and their rates: what finance keeps, and the rates pricing reads.

A rate is never changed in place: a new rate is a new row valid from a day, so the rate an
order was priced with stays explainable (its lines store it) and an amendment re-prices with
the rates of the order's date, not today's.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import TaxClass, TaxRate
from oms.services import audit_record, model_save
from oms.types import User

TAX_CLASS_FIELDS = ["code", "name", "name_en", "is_active"]
# China's VAT classes as shipped (migration 0009 made them from the constants pricing used).
DEFAULT_TAX_CLASSES = [
    ("standard", "一般税率", "Standard rate", Decimal("0.13")),
    ("reduced", "低税率", "Reduced rate", Decimal("0.09")),
    ("services", "服务税率", "Services", Decimal("0.06")),
    ("exempt", "免税", "Exempt", Decimal("0")),
]
DEFAULT_VALID_FROM = date(2000, 1, 1)


def ensure_default_tax_classes(*, using: str = "default") -> None:
    """The shipped classes, when there are no classes at all (a new or emptied database)."""
    if TaxClass.objects.using(using).exists():
        return
    for code, name, name_en, rate in DEFAULT_TAX_CLASSES:
        tax_class = TaxClass.objects.using(using).create(code=code, name=name, name_en=name_en)
        TaxRate.objects.using(using).create(
            tax_class=tax_class, rate=rate, valid_from=DEFAULT_VALID_FROM
        )


def tax_rates_on(day: date) -> dict[str, Decimal]:
    """Each class's rate valid on `day` (the newest row from that day or before), by code.
    One statement; a class with no rate yet on that day is missing from the result."""
    rows = (
        TaxRate.objects.filter(valid_from__lte=day)
        .order_by("tax_class__code", "-valid_from")
        .distinct("tax_class__code")
        .values_list("tax_class__code", "rate")
    )
    return dict(rows)


def tax_rate_on(day: date, tax_class_code: Any) -> Subquery:
    """An expression for the rate of the class `tax_class_code` (an OuterRef) on `day`, so a
    query that reads products anyway brings their rates along without a statement of its own."""
    return Subquery(
        TaxRate.objects.filter(tax_class__code=tax_class_code, valid_from__lte=day)
        .order_by("-valid_from")
        .values("rate")[:1]
    )


def tax_class_list() -> QuerySet[TaxClass]:
    return TaxClass.objects.all()


def tax_class_detail(pk: int) -> TaxClass:
    return TaxClass.objects.get(pk=pk)


def tax_class_rates(tax_class: TaxClass) -> QuerySet[TaxRate]:
    return tax_class.rates.order_by("-valid_from")


def current_rates(classes: list[TaxClass], *, today: date | None = None) -> dict[int, Any]:
    """For a page of classes: {pk: (rate today or None, next (rate, from) or None)}."""
    today = today or timezone.localdate()
    found: dict[int, Any] = {c.pk: [None, None] for c in classes}
    for rate in TaxRate.objects.filter(tax_class__in=classes).order_by("valid_from"):
        entry = found[rate.tax_class_id]
        if rate.valid_from <= today:
            entry[0] = rate.rate
        elif entry[1] is None:
            entry[1] = (rate.rate, rate.valid_from)
    return found


def tax_class_save(*, actor: User, tax_class: TaxClass | None, data: dict[str, Any]) -> TaxClass:
    """Create or change a class. The code is fixed once products may refer to it."""
    if tax_class is not None:
        data = {k: v for k, v in data.items() if k != "code"}
    return model_save(
        actor=actor,
        instance=tax_class or TaxClass(),
        data={k: v for k, v in data.items() if k in TAX_CLASS_FIELDS},
        action="tax_class.update" if tax_class else "tax_class.create",
    )


@transaction.atomic
def tax_rate_add(*, actor: User, tax_class: TaxClass, data: dict[str, Any]) -> TaxRate:
    """A new rate from a day on. Not before today: orders already priced keep their rate, and an
    amendment of a past order must find the rate it was priced with."""
    valid_from: date = data["valid_from"]
    rate: Decimal = data["rate"]
    if valid_from < timezone.localdate():
        raise ValidationError(
            {"valid_from": _("A new rate starts today or later; past orders keep their rate.")}
        )
    if not Decimal(0) <= rate < Decimal(1):
        raise ValidationError({"rate": _("Enter a rate from 0 up to (not including) 100 %.")})
    tax_class = TaxClass.objects.select_for_update().get(pk=tax_class.pk)
    if tax_class.rates.filter(valid_from=valid_from).exists():
        raise ValidationError({"valid_from": _("This class already has a rate from that day.")})
    created = TaxRate.objects.create(tax_class=tax_class, rate=rate, valid_from=valid_from)
    audit_record(
        actor=actor,
        action="tax_rate.create",
        obj=tax_class,
        changes={"rate": str(rate), "valid_from": valid_from.isoformat()},
    )
    return created


def tax_class_with_rate(rate: Decimal, *, today: date | None = None) -> TaxClass | None:
    """An active class whose rate today is `rate` (a fraction), the shipped ones first."""
    rates = tax_rates_on(today or timezone.localdate())
    codes = [code for code, value in rates.items() if value == rate]
    classes = {c.code: c for c in TaxClass.objects.filter(code__in=codes, is_active=True)}
    shipped = [code for code, *_rest in DEFAULT_TAX_CLASSES]
    for code in sorted(classes, key=lambda c: (c not in shipped, c)):
        return classes[code]
    return None


def rate_class_code(rate: Decimal) -> str:
    """The code of a class made for a rate: vat5, vat1_5 (10 characters at most)."""
    percent = (rate * 100).normalize()
    return ("vat" + format(percent, "f").replace(".", "_"))[:10]


@transaction.atomic
def tax_class_for_rate(*, actor: User | None, rate: Decimal) -> tuple[TaxClass, bool]:
    """The class with this rate (a fraction: 0.13), made when none has it (an import names
    rates, not classes): (class, made). Making one is finance's right."""
    if not Decimal(0) <= rate < Decimal(1):
        raise ValidationError({"rate": _("Enter a rate from 0 up to (not including) 100 %.")})
    found = tax_class_with_rate(rate)
    if found is not None:
        return found, False
    if actor is not None and not actor.has_perm("inventory.add_taxclass"):
        raise ValidationError(
            {
                "tax_class": _("No tax class has the rate %(rate)s %%; finance adds tax classes.")
                % {"rate": format((rate * 100).normalize(), "f")}
            }
        )
    percent = format((rate * 100).normalize(), "f")
    code = rate_class_code(rate)
    tax_class = TaxClass.objects.select_for_update().filter(code=code).first()
    if tax_class is None:
        tax_class = tax_class_save(
            actor=actor,  # type: ignore[arg-type]
            tax_class=None,
            data={"code": code, "name": f"增值税 {percent}%", "name_en": f"VAT {percent} %"},
        )
    # A class made now has no orders priced with it: its rate may count from any day.
    created = TaxRate.objects.create(tax_class=tax_class, rate=rate, valid_from=DEFAULT_VALID_FROM)
    audit_record(
        actor=actor,
        action="tax_rate.create",
        obj=tax_class,
        changes={"rate": str(rate), "valid_from": created.valid_from.isoformat()},
    )
    return tax_class, True
