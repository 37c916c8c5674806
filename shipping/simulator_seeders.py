"""Demo tracking through the local carrier simulator: the demo parcels still on their way with
a Kuaidi100 carrier (which `shipping.tracking.seeders` points at the simulator) are subscribed
to its pushes, so they move on the shipment pages while `make run` runs.

A parcel is subscribed when it is dispatched; this catches the ones that have none (a demo
database older than the simulator, or subscriptions that never reached a worker)."""

from django.db import transaction

from oms.demo import SeedContext
from oms.tasks import enqueue_on_commit
from shipping.choices import TrackingKind
from shipping.models import Carrier, Shipment
from shipping.tracking.services import POLLED_STATUSES


@transaction.atomic
def seed_tracking_subscriptions(context: SeedContext) -> None:
    """Queue a subscription for every parcel on its way with a Kuaidi100 carrier that has an
    address and no subscription yet; the worker sends them once `make run` has started it
    and the simulator (a carrier that does not answer yet is asked again later)."""
    from shipping.tracking.tasks import subscribe_shipment

    carriers = Carrier.objects.filter(tracking_kind=TrackingKind.KUAIDI100).exclude(
        tracking_endpoint=""
    )
    ids = list(
        Shipment.objects.filter(
            status__in=POLLED_STATUSES,
            tracking_subscribed_at__isnull=True,
            carrier__in=carriers.values("name"),
        )
        .exclude(tracking_number="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for shipment_id in ids:
        enqueue_on_commit(subscribe_shipment, shipment_id)
    if ids:
        context.say(f"{len(ids)} parcels on their way subscribed to the carrier simulator")
