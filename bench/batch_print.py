"""Batch printing: 200 packing lists in one batch as the worker prints them (chunks of
OMS_DOCUMENT_BATCH_CHUNK documents per WeasyPrint write, joined with pypdf), and the
`weasyprint` command line on the same HTML (the 200 documents in one file) in the same run.
Needs no database: the shipments are unsaved objects with their lines in hand.

    .venv/bin/python bench/batch_print.py [--documents 200]

Prints `packing pages/s` (the batch), the pages/s of one render per chunk of the documents'
HTML joined (the alternative), `weasyprint command line pages/s` and `ratio to command line`
(batch pages/s ÷ command-line pages/s; the goal is at least 0.9).
"""

import argparse
import io
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.utils import translation  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from customers.models import Customer  # noqa: E402
from inventory.models import Product, Warehouse  # noqa: E402
from orders.models import Order, OrderLine  # noqa: E402
from shipping.batch_print import document_html, write_chunk  # noqa: E402
from shipping.documents import DOCUMENTS  # noqa: E402
from shipping.models import Shipment, ShipmentLine  # noqa: E402


def shipments(count: int) -> list[Shipment]:
    """Unsaved shipments of 3 to 8 lines, a quarter of the products fragile."""
    rng = random.Random(7)
    warehouse = Warehouse(pk=1, code="SH1", name="上海仓", city="上海", address="嘉定区 88 号")
    products = [
        Product(
            pk=n + 1,
            sku=f"CL-{n:04d}",
            name=f"星空吸顶灯 {24 + n % 3 * 12}W 金色",
            fragile=n % 4 == 0,
            packing_note="每件单独气泡膜包裹" if n % 4 == 0 else "",
        )
        for n in range(40)
    ]
    made = []
    for n in range(count):
        customer = Customer(pk=n + 1, name=f"宏达灯饰有限公司 {n}", code=f"C-{n:05d}")
        order = Order(
            pk=n + 1,
            number=f"SO-2026-{n + 1:06d}",
            customer=customer,
            ship_recipient="王先生",
            ship_phone="13800000000",
            ship_postal_code="200000",
        )
        shipment = Shipment(
            pk=n + 1,
            number=f"SH-2026-{n + 1:06d}",
            order=order,
            warehouse=warehouse,
            parcels=1 + n % 3,
            weight_kg=Decimal("3.500"),
        )
        lines = [
            ShipmentLine(
                shipment=shipment,
                product=product,
                order_line=OrderLine(line_no=i + 1),
                quantity=rng.randint(1, 12),
                lot=f"LOT-{rng.randint(1000, 9999)}" if i % 2 else "",
            )
            for i, product in enumerate(rng.sample(products, rng.randint(3, 8)))
        ]
        shipment._prefetched_objects_cache = {"lines": lines}
        made.append(shipment)
    return made


def batch(shipments_: list[Shipment], folder: Path) -> tuple[bytes, int]:
    """What the worker does: chunks of OMS_DOCUMENT_BATCH_CHUNK, joined with pypdf."""
    document = DOCUMENTS["packing-list"]
    size = settings.OMS_DOCUMENT_BATCH_CHUNK
    writer = PdfWriter()
    for start in range(0, len(shipments_), size):
        path = folder / f"chunk-{start:05d}.pdf"
        with open(path, "wb") as out:
            write_chunk(shipments_[start : start + size], document, out)
        writer.append(str(path))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def batch_combined(shipments_: list[Shipment], folder: Path) -> int:
    """The alternative measured against it: one WeasyPrint render per chunk of the documents'
    HTML joined with page breaks. Its page counter runs over the whole chunk ("page 7 of 50"
    on a one-page packing list), so the batch does not print this way."""
    from weasyprint import HTML

    from oms.documents import STATIC_PREFIX, static_only_fetcher

    size = settings.OMS_DOCUMENT_BATCH_CHUNK
    writer = PdfWriter()
    for start in range(0, len(shipments_), size):
        path = folder / f"combined-{start:05d}.pdf"
        html = combined_html(shipments_[start : start + size])
        HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=static_only_fetcher).write_pdf(path)
        writer.append(str(path))
    writer.write(io.BytesIO())
    return len(writer.pages)


def combined_html(shipments_: list[Shipment]) -> str:
    """The batch's documents in one HTML file, each starting a new page: the same HTML."""
    document = DOCUMENTS["packing-list"]
    htmls = [document_html(s, document) for s in shipments_]
    head = htmls[0][: htmls[0].index("<body")]
    bodies = [re.search(r"<body[^>]*>(.*)</body>", h, re.S).group(1) for h in htmls]
    pages = "".join(
        f'<div style="break-before: page">{b}</div>' if i else b for i, b in enumerate(bodies)
    )
    return f'{head}<body class="document">{pages}</body></html>'


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200)
    args = parser.parse_args()
    translation.activate("zh-hans")
    batch_shipments = shipments(args.documents)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        batch(shipments(2), folder)  # warm template and font caches, as a worker that has printed

        started, cpu_started = time.perf_counter(), time.process_time()
        pdf, pages = batch(batch_shipments, folder)
        batch_seconds = time.perf_counter() - started
        batch_cpu = time.process_time() - cpu_started

        started = time.perf_counter()
        combined_pages = batch_combined(batch_shipments, folder)
        combined_seconds = time.perf_counter() - started

        source, target = folder / "batch.html", folder / "batch.pdf"
        source.write_text(combined_html(batch_shipments), encoding="utf-8")
        started, children = time.perf_counter(), _children_cpu()
        subprocess.run(
            [str(Path(sys.executable).with_name("weasyprint")), str(source), str(target)],
            check=True,
        )
        cli_seconds = time.perf_counter() - started
        cli_cpu = _children_cpu() - children
        cli_pages = len(PdfReader(target).pages)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == pages
    ours, theirs = pages / batch_seconds, cli_pages / cli_seconds
    print(f"packing lists: {args.documents} (chunks of {settings.OMS_DOCUMENT_BATCH_CHUNK})")
    print(f"packing pages: {pages} in {batch_seconds:.2f} s (command line: {cli_pages} pages)")
    print(f"packing pages/s: {ours:.1f}")
    print(
        f"one render per chunk (documents joined) pages/s: {combined_pages / combined_seconds:.1f}"
    )
    print(f"weasyprint command line pages/s: {theirs:.1f} ({cli_seconds:.2f} s)")
    print(f"ratio to command line: {ours / theirs:.2f}")
    # On a shared machine wall time swings with the load; CPU time much less.
    print(f"CPU seconds: batch {batch_cpu:.2f} s, command line {cli_cpu:.2f} s")
    cpu_ratio = (pages / batch_cpu) / (cli_pages / cli_cpu)
    print(f"CPU ratio to command line (pages per CPU second): {cpu_ratio:.2f}")


if __name__ == "__main__":
    main()
