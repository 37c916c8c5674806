"""Demo tracking: the demo carriers that speak Kuaidi100 send their queries and subscriptions
to the local carrier simulator (`make run` starts it), and the demo parcels still on their
way are subscribed, so they move on the shipment pages while `make run` runs."""

from django.conf import settings

from oms.demo import SeedContext
from oms.tasks import enqueue_on_commit
from shipping import carrier_services
from shipping.choices import TrackingKind
from shipping.models import Carrier, Shipment
from shipping.tracking.services import POLLED_STATUSES

# The demo carriers' company codes at Kuaidi100.
COMPANIES = {"SF": "shunfeng", "ZTO": "zhongtong", "DBL": "debangkuaidi", "JD": "jd"}
# The salt our subscriptions give; the simulator signs its pushes with it (32 characters, as
# Kuaidi100 asks).
DEMO_SALT = "oms-demo-push-salt-2026-abcdefgh"


def point_carriers_at_simulator(context: SeedContext) -> list[Carrier]:
    """Kuaidi100 carriers without a tracking address get the simulator's, with its account.
    A carrier someone configured (an address of its own) is left alone."""
    customer, key = next(iter(settings.OMS_CARRIER_SIMULATOR_ACCOUNTS.items()))
    pointed = []
    for carrier in Carrier.objects.filter(
        tracking_kind=TrackingKind.KUAIDI100, tracking_endpoint=""
    ).order_by("pk"):
        pointed.append(
            carrier_services.carrier_save(
                actor=context.users.get("logistics"),
                carrier=carrier,
                data={
                    "tracking_endpoint": settings.OMS_CARRIER_SIMULATOR_URL,
                    "tracking_company": COMPANIES.get(carrier.code, carrier.code.lower()),
                    "tracking_customer": customer,
                    "tracking_key": key,
                    "tracking_secret": DEMO_SALT,
                },
            )
        )
    return pointed


def subscribe_moving_parcels(context: SeedContext) -> int:
    """Queue a subscription for every demo parcel on its way with a Kuaidi100 carrier that
    has none yet; the worker sends them once `make run` has started it and the simulator
    (a carrier that does not answer yet is asked again with a growing pause)."""
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
    return len(ids)


def seed_tracking_demo(context: SeedContext) -> None:
    pointed = point_carriers_at_simulator(context)
    if pointed:
        context.say(
            f"{len(pointed)} carriers track through the carrier simulator at "
            f"{settings.OMS_CARRIER_SIMULATOR_URL}"
        )
    subscribed = subscribe_moving_parcels(context)
    if subscribed:
        context.say(f"{subscribed} parcels on their way subscribed to the simulator's pushes")
