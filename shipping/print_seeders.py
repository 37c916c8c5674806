"""Demo data for batch printing: one finished batch of packing lists (a file job of kind
"shipping.documents", rendered here as a worker would), so a newcomer opens its page and
downloads the PDF without starting a worker. Small on purpose (seeding stays fast): the
shipments being picked or packed, then parcels already gone, up to DEMO_BATCH. Idempotent: a batch
whose file is still there is kept; once the daily clean-up removed it, the next run prints a
new one."""

from django.conf import settings
from django.urls import reverse

from oms.choices import FileJobStatus
from oms.demo import SeedContext
from oms.filejobs import file_job_path, file_job_run
from oms.models import FileJob
from shipping.batch_print import KIND
from shipping.choices import ShipmentStatus
from shipping.models import Shipment

S = ShipmentStatus
DEMO_BATCH = 8
WAREHOUSE = (S.PICKING, S.PACKED)
GONE = (S.DISPATCHED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED)


def demo_batch_jobs(user) -> list[FileJob]:
    return list(
        FileJob.objects.filter(
            kind=KIND, user=user, status=FileJobStatus.DONE, parameters__demo=True
        ).order_by("-created_at")
    )


def seed_batch_print(context: SeedContext) -> None:
    user = context.users["warehouse"]
    kept = [job for job in demo_batch_jobs(user) if file_job_path(job) is not None]
    if kept:
        job = kept[0]
    else:
        # What the warehouse still handles first, then parcels already gone (a small demo
        # has few shipments waiting in the warehouse).
        demo = Shipment.objects.filter(order__external_reference__startswith="DEMO-")
        ids: list[int] = []
        for statuses in (WAREHOUSE, GONE):
            ids += list(
                demo.filter(status__in=statuses)
                .order_by("-created_at", "-pk")
                .values_list("pk", flat=True)[: DEMO_BATCH - len(ids)]
            )
        if not ids:
            return
        job = FileJob.objects.create(
            user=user,
            kind=KIND,
            path=reverse("shipping:list"),
            list_name="shipping:list",
            query_string="",
            parameters={"document": "packing-list", "shipments": sorted(ids), "demo": True},
            language=settings.LANGUAGE_CODE,
        )
        if file_job_run(job_id=job.pk) != "done":
            context.say("demo batch print failed; see the log")
            return
    context.say(
        f"batch print of {len(job.parameters['shipments'])} packing lists: "
        f"{reverse('file_job', args=[job.pk])} (as {user.get_username()})"
    )
