from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from customers.choices import CustomerTier
from customers.models import Address, Customer, CustomerNote, TierThreshold
from customers.selectors import customers_visible_to, own_customers_only
from oms.models import AuditLog
from oms.services import acting_user, audit_record, model_save
from oms.types import User

CUSTOMER_FIELDS = [
    "code",
    "name",
    "kind",
    "contact_person",
    "phone",
    "email",
    "group",
    "tier",
    "credit_limit",
    "payment_terms",
    "salesperson",
    "region",
    "tags",
    "notes",
    "language",
    "preferred_channel",
    "preferred_carrier",
    "opt_out_non_essential",
    "credit_hold",
    "is_active",
]
# Credit terms are finance's: only holders of change_credit may change them (through any
# form or import); everything else about a customer needs change_customer.
CREDIT_FIELDS = ("credit_limit", "payment_terms", "credit_hold")
CUSTOMER_FIELD_PERMISSIONS = {
    field: "customers.change_credit" if field in CREDIT_FIELDS else "customers.change_customer"
    for field in CUSTOMER_FIELDS
}

ADDRESS_FIELDS = [
    "label",
    "recipient",
    "phone",
    "region",
    "city",
    "district",
    "street",
    "postal_code",
    "latitude",
    "longitude",
    "is_default_shipping",
    "is_default_billing",
]


def check_own_customer(actor: User | None, salesperson: Any) -> None:
    """With OMS_SALES_OWN_CUSTOMERS_ONLY, a sales user keeps their customers their own: a
    customer they enter or change has them as its salesperson."""
    if actor is None:  # the system (an import run by a script)
        return
    if own_customers_only(actor) and getattr(salesperson, "pk", salesperson) != actor.pk:
        raise ValidationError(
            {"salesperson": _("You look after your own customers only: choose yourself.")}
        )


@transaction.atomic
def customer_create(
    *, actor: User | None, data: dict[str, Any], address: dict[str, Any] | None = None
) -> Customer:
    """Create a customer, and its first address when one is given (it becomes the default)."""
    check_own_customer(actor, data.get("salesperson"))
    customer = model_save(
        actor=actor,
        instance=Customer(),
        data={k: v for k, v in data.items() if k in CUSTOMER_FIELDS},
        action="customer.create",
        field_permissions=CUSTOMER_FIELD_PERMISSIONS,
    )
    if address:
        address_save(
            actor=actor,
            customer=customer,
            address=None,
            data={**address, "is_default_shipping": True, "is_default_billing": True},
        )
    return customer


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, data: dict[str, Any]) -> Customer:
    locked = customers_visible_to(actor).select_for_update().filter(pk=customer.pk).first()
    if locked is None:
        raise PermissionDenied(_("This customer is not one of yours."))
    check_own_customer(actor, data.get("salesperson", locked.salesperson_id))
    return model_save(
        actor=actor,
        instance=locked,
        data={k: v for k, v in data.items() if k in CUSTOMER_FIELDS},
        action="customer.update",
        field_permissions=CUSTOMER_FIELD_PERMISSIONS,
    )


@transaction.atomic
def customer_import(
    *, actor: User | None, data: dict[str, Any], address: dict[str, Any]
) -> tuple[Customer, str]:
    """One customer of an import, by its code: created with the address as its default, or
    updated with the address as its default shipping address. Returns the customer and
    "create", "update" or "unchanged"."""
    code = str(data.get("code", "")).strip().upper()
    existing = Customer.objects.select_for_update().filter(code=code).first()
    if existing is None:
        if actor is not None and own_customers_only(actor):
            data = {**data, "salesperson": actor}
        return customer_create(actor=actor, data=data, address=address), "create"
    if actor is not None and not customers_visible_to(actor).filter(pk=existing.pk).exists():
        raise PermissionDenied(_("This customer is not one of yours."))
    data = {k: v for k, v in data.items() if k in CUSTOMER_FIELDS and k != "code"}
    changed = any(getattr(existing, k) != v for k, v in data.items())
    if changed:
        model_save(
            actor=actor,
            instance=existing,
            data=data,
            action="customer.update",
            field_permissions=CUSTOMER_FIELD_PERMISSIONS,
        )
    default = existing.addresses.filter(is_default_shipping=True).first()
    moved = default is None or any(getattr(default, k) != v for k, v in address.items())
    if moved:
        address_save(
            actor=actor,
            customer=existing,
            address=default,
            data={**address, "is_default_shipping": True},
        )
    return existing, "update" if changed or moved else "unchanged"


@transaction.atomic
def address_save(
    *, actor: User | None, customer: Customer, address: Address | None, data: dict[str, Any]
) -> Address:
    """Create or change an address. A new default replaces the customer's previous default;
    a customer's first address is the default for both shipping and billing."""
    Customer.objects.select_for_update().filter(pk=customer.pk).get()  # serialise default changes
    data = {k: v for k, v in data.items() if k in ADDRESS_FIELDS}
    others = customer.addresses.all()
    if address is not None:
        others = others.exclude(pk=address.pk)
    if not others.exists():
        data["is_default_shipping"] = data["is_default_billing"] = True
    for flag in ("is_default_shipping", "is_default_billing"):
        if data.get(flag):
            others.filter(**{flag: True}).update(**{flag: False})
    return model_save(
        actor=actor,
        instance=address or Address(customer=customer),
        data=data,
        action="address.update" if address else "address.create",
    )


@transaction.atomic
def customer_credit_hold_set(
    *, actor: User | None, customer_id: int, hold: bool, reason: str, note: str = ""
) -> bool:
    """Put a customer on credit hold or lift it, audited with why (`reason`, a short code such
    as "overdue_final_notice" or "lifted_by_finance", and the person's note). None as actor is
    the system (the reminder job, a payment). Returns whether anything changed."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.credit_hold == hold:
        return False
    customer.credit_hold = hold
    customer.save(update_fields=["credit_hold"])
    changes = {"credit_hold": [not hold, hold], "reason": reason, "note": note}
    if hold:
        audit_record(actor=actor, action="customer.credit_hold", obj=customer, changes=changes)
    else:
        audit_record(actor=actor, action="customer.credit_release", obj=customer, changes=changes)
    return True


@dataclass(frozen=True)
class CustomerScores:
    """What the nightly customer analytics found for one customer (orders.rfm)."""

    customer_id: int
    segment: str  # a customers.choices.RfmSegment value
    score: str  # "545": recency, frequency and monetary quintile
    spend_12m: Decimal


TIER_ORDER = [CustomerTier.SILVER, CustomerTier.GOLD, CustomerTier.PLATINUM]


@transaction.atomic
def customer_segments_write(
    *, actor: User | None, scores: Sequence[CustomerScores], computed_at: datetime
) -> dict[str, int]:
    """Write the night's RFM segments and 12-month spend onto the customers in bulk, then move
    each customer to the tier its spend reaches (TierThreshold), auditing every tier change.

    Customers missing from `scores` (nothing bought in 12 months) lose their segment and
    have no spend. Rows are locked in primary-key order first, as every customer write does,
    so a concurrent edit waits instead of deadlocking. One UPDATE ... FROM unnest(arrays)
    per step, however many customers. Returns counts: segmented, cleared, tier changes.
    """
    ids = [s.customer_id for s in scores]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM customers_customer WHERE id = ANY(%s) OR rfm_segment <> '' "
            "OR spend_12m <> 0 ORDER BY id FOR UPDATE",
            [ids],
        )
        cursor.execute(
            """
            UPDATE customers_customer AS c
               SET rfm_segment = v.segment, rfm_score = v.score, spend_12m = v.spend,
                   segmented_at = %s
              FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::numeric[])
                   AS v(id, segment, score, spend)
             WHERE c.id = v.id
            """,
            [
                computed_at,
                ids,
                [s.segment for s in scores],
                [s.score for s in scores],
                [s.spend_12m for s in scores],
            ],
        )
        segmented = cursor.rowcount
        cursor.execute(
            """
            UPDATE customers_customer
               SET rfm_segment = '', rfm_score = '', spend_12m = 0, segmented_at = %s
             WHERE NOT (id = ANY(%s)) AND (rfm_segment <> '' OR spend_12m <> 0)
            """,
            [computed_at, ids],
        )
        cleared = cursor.rowcount
    changes = customer_tiers_apply(actor=actor)
    return {"segmented": segmented, "cleared": cleared, "tier_changes": changes}


def customer_tiers_apply(*, actor: User | None) -> int:
    """Move every customer to the tier its 12-month spend reaches (the highest threshold at or
    below it; standard below them all), in one UPDATE, with one audit row per change
    ("customer.tier_change", the tier's old and new value and the spend). Runs inside the
    caller's transaction (customer_segments_write, or a threshold change)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH target AS (
                SELECT c.id, c.tier AS old_tier,
                       COALESCE((SELECT t.tier FROM customers_tierthreshold t
                                  WHERE t.min_spend <= c.spend_12m
                                  ORDER BY t.min_spend DESC LIMIT 1), %s) AS new_tier
                  FROM customers_customer c
            )
            UPDATE customers_customer AS c SET tier = target.new_tier
              FROM target
             WHERE c.id = target.id AND target.old_tier <> target.new_tier
         RETURNING c.id, c.code, c.name, target.old_tier, target.new_tier, c.spend_12m
            """,
            [CustomerTier.STANDARD.value],
        )
        changed = cursor.fetchall()
    who = acting_user(actor)
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=who,
                action="customer.tier_change",
                object_type="customers.customer",
                object_id=str(pk),
                object_repr=f"{code} {name}"[:200],
                changes={"tier": [old, new], "spend_12m": str(spend)},
            )
            for pk, code, name, old, new, spend in sorted(changed)
        ],
        batch_size=2000,
    )
    return len(changed)


@transaction.atomic
def tier_thresholds_set(*, actor: User, data: dict[str, Decimal]) -> list[TierThreshold]:
    """Change where the tiers start (`data`: tier -> 12-month spend), audited per threshold;
    each higher tier must start above the one below it. Customers move to their new tiers at
    once (customer_tiers_apply), each move an audit row."""
    amounts = [data.get(tier) for tier in TIER_ORDER]
    if any(amount is None for amount in amounts):
        raise ValidationError(_("Enter where every tier starts."))
    for lower, higher, tier in zip(amounts, amounts[1:], TIER_ORDER[1:], strict=False):
        if higher <= lower:  # type: ignore[operator]
            raise ValidationError({tier.value: _("Each tier must start above the tier below it.")})
    saved = []
    locked = {t.tier: t for t in TierThreshold.objects.select_for_update().order_by("pk")}
    for tier, amount in zip(TIER_ORDER, amounts, strict=True):
        threshold = locked.get(tier.value) or TierThreshold(tier=tier.value)
        saved.append(
            model_save(
                actor=actor,
                instance=threshold,
                data={"min_spend": amount},
                action="tier_threshold.update" if threshold.pk else "tier_threshold.create",
            )
        )
    customer_tiers_apply(actor=actor)
    return saved


@transaction.atomic
def customer_note_add(*, actor: User, customer: Customer, text: str) -> CustomerNote:
    """Write a contact note on a customer the actor may see; audited. Blank text, or text
    longer than CustomerNote.MAX_LENGTH, is refused and nothing is written."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what the contact was about.")})
    if len(text) > CustomerNote.MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("A note has at most %(max)d characters (it has %(length)d).")
                % {"max": CustomerNote.MAX_LENGTH, "length": len(text)}
            }
        )
    if not customers_visible_to(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("This customer is not one of yours."))
    note = CustomerNote.objects.create(customer=customer, text=text, author=actor)
    audit_record(
        actor=actor,
        action="customer.note",
        obj=note,
        changes={"text": text},
    )
    return note
