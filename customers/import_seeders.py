"""Demo import: a small customers file from a trade fair, checked and then imported by the
sales user, with a few rows the check refused (a province nobody knows, a short phone number,
a customer twice), so a newcomer finds a finished import with its report and error CSV on
/imports/. Run here as a worker would (no worker needed); idempotent."""

from django.core.files.uploadedfile import SimpleUploadedFile

from oms import imports
from oms.demo import SeedContext
from oms.models import ImportJob

FILE_NAME = "2026-trade-fair-leads.csv"
ROWS = [
    ("客户编码", "客户名称", "电话", "邮箱", "省份", "城市", "区县", "详细地址", "联系人"),
    (
        "F-2601",
        "杭州明辉照明工程有限公司",
        "13857100001",
        "buy@minghui.example",
        "浙江省",
        "杭州",
        "滨江区",
        "江南大道 300 号",
        "周敏",
    ),
    (
        "F-2602",
        "苏州晶彩灯饰",
        "13962100002",
        "",
        "江苏",
        "苏州",
        "工业园区",
        "星湖街 88 号",
        "钱伟",
    ),
    (
        "F-2603",
        "Shenzhen Brightway Trading",
        "13631400003",
        "info@brightway.example",
        "Guangdong",
        "深圳",
        "南山区",
        "科技园路 12 号",
        "Lin Tao",
    ),
    (
        "F-2604",
        "成都蜀光电器",
        "13880800004",
        "",
        "SC",
        "成都",
        "武侯区",
        "人民南路四段 9 号",
        "何静",
    ),
    ("F-2605", "青岛海岸灯具", "1532", "", "山东", "青岛", "市南区", "香港中路 6 号", "孙强"),
    (
        "F-2606",
        "大连北方照明",
        "13904100006",
        "",
        "Dongbei",
        "大连",
        "中山区",
        "人民路 15 号",
        "赵磊",
    ),
    (
        "F-2607",
        "武汉楚天光电",
        "13871200007",
        "",
        "湖北省",
        "武汉",
        "洪山区",
        "光谷大道 77 号",
        "吴芳",
    ),
    (
        "F-2602",
        "苏州晶彩灯饰",
        "13962100002",
        "",
        "江苏",
        "苏州",
        "工业园区",
        "星湖街 88 号",
        "钱伟",
    ),
]


def demo_file() -> bytes:
    lines = [",".join(row) for row in ROWS]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def seed_import_demo(context: SeedContext) -> None:
    user = context.users.get("sales1") or context.users.get("manager")
    if user is None or ImportJob.objects.filter(user=user, file_name=FILE_NAME).exists():
        return
    check = imports.job_start(
        user=user,
        kind="customers",
        upload=SimpleUploadedFile(FILE_NAME, demo_file()),
        dry_run=True,
        language="zh-hans",
        queue=False,
    )
    imports.job_run(job_id=check.pk)
    check.refresh_from_db()
    job = imports.job_commit(user=user, checked=check, queue=False)
    imports.job_run(job_id=job.pk)
    job.refresh_from_db()
    context.say(f"import {FILE_NAME}: {job.created} created, {job.errors} errors")
