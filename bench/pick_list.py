"""A wave pick list of 1,000 rows (one row = one product in one bin) rendered in-process, and
the `weasyprint` command line on the same HTML for comparison. Needs no database.

    .venv/bin/python bench/pick_list.py [--rows 1000]

Prints `pick list rows`, `pick list seconds` (template + PDF, Python start-up and imports
excluded), `pick list pages`, `weasyprint command line seconds` and `ratio to command line`
(in-process time / command-line time: below 1 is faster), and the same in CPU seconds, which
a busy machine disturbs less (the command line's include its Python start-up).
"""

import argparse
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from oms.documents import barcode_svg, html_to_pdf, render_document_html  # noqa: E402
from shipping.selectors import WaveRow  # noqa: E402

TEMPLATE = "shipping/documents/pick_list.html"


def wave_context(rows: int) -> dict:
    rng = random.Random(7)
    wave_rows = []
    for n in range(rows):
        split = {f"SO-2026-{rng.randint(1, 999999):06d}": rng.randint(1, 12) for _ in range(3)}
        wave_rows.append(
            WaveRow(
                bin=f"{chr(65 + n // 100 % 26)}-{n % 100:02d}-{n // 2600 + 1}",
                sku=f"CL-{n:04d}",
                name=f"星空吸顶灯 {24 + n % 3 * 12}W 金色",
                unit="件",
                fragile=n % 4 == 0,
                quantity=sum(split.values()),
                split=split,
            )
        )
    now = timezone.localtime()
    return {
        "warehouse": {"code": "SH1", "name": "上海仓"},
        "shipments": range(rows // 2),
        "orders": rows // 2,
        "rows": wave_rows,
        "units": sum(row.quantity for row in wave_rows),
        "title": "波次拣货单",
        "document_number": "WV-1-BENCH",
        "barcode": barcode_svg("WV-1-BENCH"),
        "printed_at": now,
        "OMS_COMPANY_NAME": settings.OMS_COMPANY_NAME,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    translation.activate("zh-hans")
    context = wave_context(args.rows)
    # Warm the template and font caches, as a worker that has printed before has them.
    html_to_pdf(render_document_html(TEMPLATE, wave_context(5), for_pdf=True))

    started, cpu_started = time.perf_counter(), time.process_time()
    html = render_document_html(TEMPLATE, context, for_pdf=True)
    pdf = html_to_pdf(html)  # what the pick list view does (oms.documents.render_pdf)
    in_process = time.perf_counter() - started
    in_process_cpu = time.process_time() - cpu_started

    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp, "wave.html"), Path(tmp, "wave.pdf")
        source.write_text(html, encoding="utf-8")
        started, children = time.perf_counter(), _children_cpu()
        subprocess.run(
            [str(Path(sys.executable).with_name("weasyprint")), str(source), str(target)],
            check=True,
        )
        command_line = time.perf_counter() - started
        command_line_cpu = _children_cpu() - children
        pages_cli = len(PdfReader(target).pages)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"pick list rows: {args.rows}")
    print(f"pick list seconds: {in_process:.2f} s")
    print(f"pick list pages: {pages} (command line: {pages_cli})")
    print(f"weasyprint command line seconds: {command_line:.2f} s")
    print(f"ratio to command line: {in_process / command_line:.2f}")
    # On a shared machine wall time swings with the load; CPU time much less.
    print(f"pick list CPU seconds: {in_process_cpu:.2f} s (command line: {command_line_cpu:.2f} s)")
    print(f"CPU ratio to command line: {in_process_cpu / command_line_cpu:.2f}")


if __name__ == "__main__":
    main()
