"""Demo data for the logistics desk: returned parcels booked back in (sent again, or not)
and one still on its way back; a parcel whose delivery attempt failed, one with no carrier
news for days and one past its expected date, so the exceptions queue shows every reason.
Idempotent: a second run finds the states already there and adds nothing."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from oms.demo import SeedContext
from oms.errors import ServiceError
from oms.workdays import add_working_days
from shipping import attention, returns, services
from shipping.choices import ReturnResolution, ShipmentStatus
from shipping.models import ReturnReceipt, Shipment, ShipmentEvent
from shipping.permissions import ShipmentAction

S = ShipmentStatus
DEMO = {"order__external_reference__startswith": "DEMO-"}


def _try(context: SeedContext, shipment: Shipment, work) -> bool:
    try:
        work()
    except (ServiceError, ValidationError) as exc:
        context.say(f"demo shipment {shipment.number}: {exc}")
        return False
    return True


def seed_returns(context: SeedContext) -> None:
    """Of the parcels that came back, the newest stays on its way back (to book in); the
    others are booked in: the next newest waits for the desk's decision, the one before is
    sent again, the older ones are not sent again."""
    warehouse, desk = context.users["warehouse"], context.users["logistics"]
    back = list(
        Shipment.objects.filter(status=S.RETURNED, **DEMO)
        .filter(return_receipt__isnull=True)
        .order_by("-dispatched_at", "-pk")
    )
    if ReturnReceipt.objects.exists() or len(back) < 2:
        return
    for index, shipment in enumerate(back[1:], start=1):
        if not _try(
            context,
            shipment,
            lambda s=shipment: returns.shipment_receive_return(
                actor=warehouse, shipment=s, note="外箱完好 box intact"
            ),
        ):
            continue
        if index == 2:
            _try(
                context,
                shipment,
                lambda s=shipment: returns.return_reship(
                    actor=desk, shipment=s, note="客户改约明天收货 customer home tomorrow"
                ),
            )
        elif index > 2:
            _try(
                context,
                shipment,
                lambda s=shipment: returns.return_close(
                    actor=desk, shipment=s, reason="客户拒收，不再发货 refused, not sent again"
                ),
            )


def seed_attention(context: SeedContext) -> None:
    """A failed delivery attempt, a quiet parcel and a late one among the parcels in transit."""
    desk = context.users["logistics"]
    moving = list(
        Shipment.objects.filter(status__in=[S.IN_TRANSIT, S.DISPATCHED], **DEMO).order_by("-pk")
    )
    found = {
        reason
        for row in attention.attention_rows(Shipment.objects.filter(**DEMO))
        for reason in attention.REASON_LABELS
        if getattr(row, f"why_{reason}")
    }
    today = timezone.localdate()
    if attention.Reason.FAILED_ATTEMPT not in found and moving:
        shipment = moving.pop(0)
        if shipment.status == S.DISPATCHED:
            services.shipment_record_progress(
                actor=desk, shipment=shipment, action=ShipmentAction.IN_TRANSIT
            )
        services.shipment_record_progress(
            actor=desk, shipment=shipment, action=ShipmentAction.OUT_FOR_DELIVERY
        )
        services.shipment_record_progress(
            actor=desk,
            shipment=shipment,
            action=ShipmentAction.IN_TRANSIT,
            note="无人签收，明日再派 nobody home, out again tomorrow",
        )
        attention.shipment_record_contact(
            actor=desk, shipment=shipment, note="已短信通知收件人 texted the recipient"
        )
    if attention.Reason.QUIET not in found and moving:
        shipment = moving.pop(0)
        quiet = timezone.now() - timedelta(days=8)
        ShipmentEvent.objects.filter(shipment=shipment, created_at__gt=quiet).update(
            created_at=quiet
        )
        Shipment.objects.filter(pk=shipment.pk, dispatched_at__gt=quiet).update(dispatched_at=quiet)
    if attention.Reason.LATE not in found and moving:
        shipment = moving.pop(0)
        Shipment.objects.filter(pk=shipment.pk).update(
            expected_delivery_date=add_working_days(today, -2)
        )
    waiting = ReturnReceipt.objects.filter(resolution=ReturnResolution.WAITING).count()
    context.say(f"exceptions queue: {sorted(found)}; returns waiting for a decision: {waiting}")


def seed_desk(context: SeedContext) -> None:
    seed_returns(context)
    seed_attention(context)
