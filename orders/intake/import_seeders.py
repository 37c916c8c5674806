"""Demo orders import: last week's orders of a shop the company runs outside the system,
exported as a CSV with Chinese headers and imported by the manager, with three rows the
check refused (a SKU the catalogue does not have, a quantity of 0, a date in the future).
A newcomer finds the finished import and its report on /imports/, and its orders on the
order list (channel "Import"), placed, reviewed and allocated like any other. Run here as a
worker would (no worker needed); idempotent."""

import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customers.models import Customer
from inventory.models import Product
from oms import imports
from oms.demo import SeedContext
from oms.models import ImportJob
from orders.choices import ChannelCode, OrderStatus
from orders.models import Order
from orders.tasks import allocate_placed_orders

FILE_NAME = "2026-shop-export-last-week.csv"
HEADER = "外部单号,客户编码,货号,数量,单价,折扣(%),税率,含税价,下单日期,备注"
ORDERS = 24


def demo_file(context: SeedContext, customers: list[str], skus: list[str]) -> bytes:
    rng = random.Random(FILE_NAME)  # its own: the shared source stays as the later seeders expect
    today = timezone.localdate(context.now)
    rows = [HEADER]
    for n in range(ORDERS):
        day = today - timedelta(days=rng.randint(1, 7))
        customer = customers[n % len(customers)]
        for sku in rng.sample(skus, rng.randint(1, 3)):
            price = rng.choice(["19.90", "39.00", "59.90", "128.00", "260.00"])
            discount = rng.choice(["", "", "5", "7"])
            rows.append(
                f"SHOP-{day:%m%d}-{n + 1:03d},{customer},{sku},{rng.randint(1, 6)},{price},"
                f"{discount},13,true,{day.isoformat()},"
            )
    tomorrow = today + timedelta(days=1)
    rows += [
        f"SHOP-ERR-1,{customers[0]},NO-SUCH-SKU,2,19.90,,13,true,{today.isoformat()},",
        f"SHOP-ERR-2,{customers[1]},{skus[0]},0,19.90,,13,true,{today.isoformat()},",
        f"SHOP-ERR-3,{customers[2]},{skus[1]},1,39.00,,13,true,{tomorrow.isoformat()},预售",
    ]
    return ("\ufeff" + "\n".join(rows) + "\n").encode("utf-8")


def seed_orders_import_demo(context: SeedContext) -> None:
    user = context.users.get("manager")
    if user is None or ImportJob.objects.filter(user=user, file_name=FILE_NAME).exists():
        return
    customers = list(
        Customer.objects.filter(is_active=True, credit_hold=False, addresses__isnull=False)
        .order_by("code")
        .values_list("code", flat=True)
        .distinct()[:12]
    )
    skus = list(
        Product.objects.filter(is_active=True, made_to_order=False)
        .order_by("sku")
        .values_list("sku", flat=True)[:20]
    )
    if len(customers) < 3 or len(skus) < 3:
        return
    upload = SimpleUploadedFile(FILE_NAME, demo_file(context, customers, skus))
    check = imports.job_start(
        user=user, kind="orders", upload=upload, dry_run=True, language="zh-hans", queue=False
    )
    imports.job_run(job_id=check.pk)
    check.refresh_from_db()
    job = imports.job_commit(user=user, checked=check, queue=False)
    imports.job_run(job_id=job.pk)
    job.refresh_from_db()
    # What the workers do once the import has committed, done here.
    placed = Order.objects.filter(
        channel_id=ChannelCode.IMPORT, external_reference__startswith="SHOP-"
    ).filter(status=OrderStatus.CONFIRMED)
    allocate_placed_orders(list(placed.order_by("pk").values_list("pk", flat=True)))
    context.say(f"import {FILE_NAME}: {job.created} rows created, {job.errors} errors")
