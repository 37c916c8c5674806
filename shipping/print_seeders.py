"""Demo data for batch printing: one finished batch of packing lists (a file job of kind
"shipping.documents", rendered here as a worker would), so a newcomer opens its page and
downloads the PDF without starting a worker. Small on purpose (seeding stays fast): the
warehouse's packed shipments, then dispatched ones, up to DEMO_BATCH. Idempotent: a batch
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
        demo = Shipment.objects.filter(order__external_reference__startswith="DEMO-")
        ids = list(
            demo.filter(status=S.PACKED)
            .order_by("number")
            .values_list("pk", flat=True)[:DEMO_BATCH]
        )
        ids += list(
            demo.filter(status=S.DISPATCHED)
            .order_by("number")
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
