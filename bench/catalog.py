"""Product export through the real pipeline: Odoo sandbox -> poll -> pages -> worker -> Magento.

    python bench/catalog.py [--products 10000] [--magento-latency-ms 200] [--odoo-latency-ms 25]
                            [--concurrency 8] [--paths bulk,single] [--timeout 3600]
                            [--cost-scale 1] [--odoo-workers 4]

Both sandboxes run in this process; the state lives in a throwaway PostgreSQL database,
the broker is Redis db 14 (flushed), and one real `celery worker` (prefork) exports.
Setup (not timed): a connection with the setup imports (websites, attribute sets, ...),
then N simple storable products per path created in Odoo over RPC, 1,000 per `create`,
each path with its own SKUs, and an on-hand quantity counted for each.

Then, in the same run and with the same latency, once per path: a product poll of that
path's templates with `{"mode": "bulk"}` (pages of 2,000 through Magento's async bulk API)
or `{"mode": "single"}` (pages of 50, one `POST /V1/products` per product). Timed: from
queueing the poll until the poll, its pages and every product log are finished. The
inventory queue is not consumed meanwhile: the stock pushes the pages queue are run
afterwards, timed and counted on their own, so the two are separate columns. Requests
and calls are counted by the sandboxes (`/__sandbox__/stats`, `/__sandbox__/odoo/stats`).
At the end Magento must hold every SKU with Odoo's name, price and quantity (default source),
and no log failed.

The Odoo sandbox charges a real Odoo 18's server time per call from the timed phases on
(sandbox/odoo/cost.py; `--cost-scale 0` turns it off, as the figures before issue 15).

`--reprice` adds, after each path, an update of the same products: each gets a Page
Builder description in Magento and Odoo's sanitised copy of it (written in Odoo, not
timed), then a new price in Odoo; the timed re-export must send the prices and leave
Magento's descriptions byte-identical (what the export reads and compares to decide).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# bench/orders.py is the model: environment, throwaway database, Redis, the worker.
from orders import (
    Worker,
    create_pg_database,
    drop_pg_database,
    flush_redis,
    register_connection,
    sandbox_get,
    set_environment,
)

BATCH = 1000
PATHS = {"bulk": "A", "single": "B"}  # path -> SKU letter
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10000, help="products per path")
    parser.add_argument("--magento-latency-ms", type=float, default=200.0)
    parser.add_argument("--odoo-latency-ms", type=float, default=25.0)
    parser.add_argument("--concurrency", type=int, default=8, help="worker prefork processes")
    parser.add_argument("--paths", default="bulk,single", help="bulk, single or both")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per phase")
    parser.add_argument(
        "--cost-scale", type=float, default=1.0, help="Odoo server-cost model (0: off)"
    )
    parser.add_argument("--odoo-workers", type=int, default=4, help="the Odoo sandbox's workers")
    parser.add_argument(
        "--reprice",
        action="store_true",
        help="then update each path's products: a price change over Page Builder descriptions",
    )
    args = parser.parse_args()
    args.paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    if not args.paths or set(args.paths) - set(PATHS):
        parser.error("--paths takes bulk, single or bulk,single")
    return args


def command_line(args: argparse.Namespace) -> str:
    return (
        f"python bench/catalog.py --products {args.products} "
        f"--magento-latency-ms {args.magento_latency_ms:g} "
        f"--odoo-latency-ms {args.odoo_latency_ms:g} --concurrency {args.concurrency} "
        f"--paths {','.join(args.paths)} --cost-scale {args.cost_scale:g} "
        f"--odoo-workers {args.odoo_workers}" + (" --reprice" if args.reprice else "")
    )


# -- the catalog -------------------------------------------------------------------------------


def product_values(letter: str, i: int) -> dict[str, Any]:
    price = round(5 + (i % 997) * 0.37, 2)
    return {
        "name": f"Bench product {letter}{i:05d}",
        "default_code": f"BENCH-{letter}-{i:05d}",
        "type": "consu",
        "is_storable": True,
        "list_price": price,
        "standard_price": round(price * 0.4, 2),
        "weight": round(0.1 + (i % 50) * 0.05, 2),
        "description_sale": f"Sales description of bench product {letter}{i}",
    }


def prepare(magento: Any, odoo: Any, paths: list[str], n: int) -> tuple[int, dict[str, list]]:
    """The connection (setup imports run) and, per path, its Odoo template ids."""
    from bridge import db
    from bridge.models import Connection
    from bridge.sync.connections import magento_client, odoo_client
    from bridge.sync.setup import IMPORTS, SetupContext

    conn_id = register_connection(magento, odoo)
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        for run in IMPORTS.values():
            run(SetupContext(s, conn, magento_client(conn), odoo_client(conn)))
        oclient = odoo_client(conn)
    templates: dict[str, list[int]] = {}
    for path in paths:
        letter, ids = PATHS[path], []
        for start in range(1, n + 1, BATCH):
            batch = [product_values(letter, i) for i in range(start, min(start + BATCH, n + 1))]
            ids += oclient.create("product.template", batch)
        templates[path] = ids
        count_stock(oclient, ids)
    return conn_id, templates


#: A Magento 2.4 Page Builder description (styles, data-* attributes, a media directive,
#: a script, a video iframe): what `--reprice` puts on every product in Magento.
PAGE_BUILDER = (
    "<style>#html-body [data-pb-style=B7P0LKO]{justify-content:flex-start;display:flex;"
    "flex-direction:column}#html-body [data-pb-style=RJ3N2CT]{border-style:none}</style>"
    '<div data-content-type="row" data-appearance="contained" data-element="main">'
    '<div data-enable-parallax="0" data-parallax-speed="0.5" data-background-images="{}" '
    'data-element="inner" data-pb-style="B7P0LKO"><div data-content-type="text" '
    'data-appearance="default" data-element="main"><p>Stoneware &ndash; 300&nbsp;ml.<br />'
    'Dishwasher safe.</p></div><figure data-content-type="image" data-element="main">'
    '<img src="{{media url=wysiwyg/mug.jpg}}" alt="Mug" data-element="desktop_image" '
    'data-pb-style="RJ3N2CT"></figure><div data-content-type="html" data-element="main">'
    '<script>window.mug = 1;</script></div><div data-content-type="video" '
    'data-element="main"><iframe src="https://www.youtube.com/embed/mug"></iframe></div>'
    "</div></div>"
)
REPRICED = 99.0


def reprice(magento: Any, odoo: Any, conn_id: int, letter: str, template_ids: list[int]) -> None:
    """Not timed: Magento gets the Page Builder layout, Odoo its sanitised copy (what an
    import leaves), then Odoo a new price for all of them."""
    from bridge import db
    from bridge.models import Connection
    from bridge.sync.connections import odoo_client

    with db.session_scope() as s:
        oclient = odoo_client(s.get(Connection, conn_id))
    for record in magento.store.snapshot("products"):
        if str(record["sku"]).startswith(f"BENCH-{letter}-"):
            customs = [c for c in record.get("custom_attributes") or []
                       if c.get("attribute_code") != "description"]  # fmt: skip
            customs.append({"attribute_code": "description", "value": PAGE_BUILDER})
            magento.store.update("products", record["sku"], {"custom_attributes": customs})
    for start in range(0, len(template_ids), BATCH):
        chunk = template_ids[start : start + BATCH]
        oclient.write("product.template", chunk, {"description": PAGE_BUILDER})
    for start in range(0, len(template_ids), BATCH):
        oclient.write("product.template", template_ids[start : start + BATCH],
                      {"list_price": REPRICED})  # fmt: skip


def count_stock(oclient: Any, template_ids: list[int]) -> None:
    """An on-hand quantity for every variant (`quantity_of`), counted in the main warehouse."""
    from bridge.clients.odoo import m2o_id

    [warehouse] = oclient.search_read("stock.warehouse", [], ["lot_stock_id"], limit=1)
    location = m2o_id(warehouse["lot_stock_id"])
    for start in range(0, len(template_ids), BATCH):
        variants = oclient.search_read(
            "product.product",
            [("product_tmpl_id", "in", template_ids[start : start + BATCH])],
            ["default_code"],
        )
        counts = [
            {
                "product_id": v["id"],
                "location_id": location,
                "inventory_quantity_auto_apply": quantity_of(v["default_code"]),
            }
            for v in variants
        ]
        oclient.create("stock.quant", counts, context={"inventory_mode": True})


def quantity_of(sku: str) -> float:
    return float(1 + int(sku.rsplit("-", 1)[1]) % 40)


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Counts:
    magento: int = 0
    odoo: int = 0
    routes: Counter[str] = field(default_factory=Counter)


def counts(magento: Any, odoo: Any) -> Counts:
    stats = sandbox_get(f"{magento.url}/__sandbox__/stats")
    routes: Counter[str] = Counter()
    for route, hits in stats["by_route"].items():
        routes[_UUID.sub("{uuid}", route)] += hits
    odoo_calls = sandbox_get(f"{odoo.url}/__sandbox__/odoo/stats")["calls"]
    return Counts(stats["requests"], odoo_calls, routes)


def since(before: Counts, after: Counts) -> Counts:
    return Counts(
        after.magento - before.magento, after.odoo - before.odoo, after.routes - before.routes
    )


def set_latency(magento: Any, odoo: Any, magento_ms: float, odoo_ms: float) -> None:
    import requests

    for sandbox, ms in ((magento, magento_ms), (odoo, odoo_ms)):
        url = f"{sandbox.url}/__sandbox__/faults"
        requests.delete(url, timeout=10).raise_for_status()
        requests.post(url, json={"latency_ms": ms}, timeout=10).raise_for_status()


def states(ids: list[int]) -> Counter[str]:
    from sqlalchemy import func, select

    from bridge import db
    from bridge.models import SyncLog

    found: Counter[str] = Counter()
    with db.session_scope() as s:
        for i in range(0, len(ids), 5000):
            rows = s.execute(
                select(SyncLog.state, func.count())
                .where(SyncLog.id.in_(ids[i : i + 5000]))
                .group_by(SyncLog.state)
            ).all()
            found.update({str(state): n for state, n in rows})
    return found


def wait_finished(ids: list[int], deadline: float, what: str) -> Counter[str]:
    from bridge.sync.logbook import UNFINISHED

    unfinished = {str(s) for s in UNFINISHED}
    while True:
        found = states(ids)
        if not unfinished & set(found):
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: still unfinished at the deadline ({dict(found)})")
        time.sleep(0.5)


def logs(ids: list[int]) -> list[Any]:
    from sqlalchemy import select

    from bridge import db
    from bridge.models import SyncLog

    with db.session_scope() as s:
        rows = list(s.scalars(select(SyncLog).where(SyncLog.id.in_(ids)).order_by(SyncLog.id)))
        for row in rows:
            s.expunge(row)
        return rows


def stock_logs_after(conn_id: int, log_id: int, entity: str) -> list[int]:
    from sqlalchemy import select

    from bridge import db
    from bridge.models import SyncLog

    with db.session_scope() as s:
        return list(
            s.scalars(
                select(SyncLog.id).where(
                    SyncLog.connection_id == conn_id,
                    SyncLog.entity == entity,
                    SyncLog.id > log_id,
                )
            )
        )


@dataclass
class Phase:
    path: str
    products: int
    wall: float = 0.0
    counts: Counts = field(default_factory=Counts)
    pages: int = 0
    page_states: Counter[str] = field(default_factory=Counter)
    product_states: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    stock_wall: float | None = None
    stock_counts: Counts | None = None
    stock_states: Counter[str] = field(default_factory=Counter)
    poll_s: float = 0.0
    cpu_s: tuple[float, float] = (0.0, 0.0)  # worker processes, this process (the sandboxes)
    page_s: list[float] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.page_states["failed"] + self.product_states["failed"]


def export_phase(
    magento: Any, odoo: Any, conn_id: int, path: str, template_ids: list[int], timeout: float
) -> tuple[Phase, int, list[Any]]:
    """Poll these templates with the path forced; timed until every product log finished."""
    from tasks.dispatch import product_export_job
    from tasks.outbox import enqueue, wait_for

    phase = Phase(path, len(template_ids))
    before = counts(magento, odoo)
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    poll_id = enqueue(product_export_job(template_ids=template_ids, mode=path), conn_id)
    poll = wait_for(poll_id, timeout, poll=0.2)
    if poll is None:
        raise TimeoutError(f"the {path} poll log {poll_id} did not finish within {timeout:.0f} s")
    if str(poll.state) != "done":
        raise RuntimeError(f"the {path} poll ended {poll.state}: {poll.reason}")
    page_ids = list((poll.result or {}).get("pages") or [])
    phase.page_states = wait_finished(page_ids, deadline, f"{path} pages")
    pages = logs(page_ids)
    product_ids = [i for p in pages for i in (p.payload or {}).get("product_logs", [])]
    phase.product_states = wait_finished(product_ids, deadline, f"{path} product logs")
    phase.wall = time.perf_counter() - started
    phase.counts = since(before, counts(magento, odoo))
    phase.pages = len(pages)
    phase.poll_s = _seconds(poll)
    phase.page_s = sorted(_seconds(p) for p in logs(page_ids)) or [0.0]
    phase.failures = [f"page {p.id}: {p.reason}" for p in pages if str(p.state) == "failed"]
    phase.failures += [
        f"product log {p.id}: {p.reason}" for p in logs(product_ids) if str(p.state) == "failed"
    ][:5]
    return phase, poll_id, pages


def _seconds(log: Any) -> float:
    if log.started_at is None or log.finished_at is None:
        return 0.0
    return (log.finished_at - log.started_at).total_seconds()


def stock_phase(
    magento: Any,
    odoo: Any,
    conn_id: int,
    phase: Phase,
    poll_id: int,
    pages: list[Any],
    timeout: float,
) -> None:
    """Let the worker take the inventory queue; timed until the pages' stock pushes finished."""
    from bridge.sync.stock import flows as stock
    from workers.app import app

    expected = sum(1 for p in pages if (p.result or {}).get("product_ids"))
    before = counts(magento, odoo)
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    app.control.add_consumer("inventory", reply=True)
    try:
        while True:
            ids = stock_logs_after(conn_id, poll_id, stock.PUSH)
            if len(ids) >= expected:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(ids)} stock push logs of {expected} were queued")
            time.sleep(0.5)
        phase.stock_states = wait_finished(ids, deadline, f"{phase.path} stock pushes")
    finally:
        app.control.cancel_consumer("inventory", reply=True)
    phase.stock_wall = time.perf_counter() - started
    phase.stock_counts = since(before, counts(magento, odoo))
    phase.failures += [
        f"stock log {p.id}: {p.reason}" for p in logs(ids) if str(p.state) == "failed"
    ][:5]


def verify_repriced(magento: Any, n: int, phase: Phase, letter: str) -> list[str]:
    """Every SKU at the new price, its Page Builder description untouched."""
    held = {p["sku"]: p for p in magento.store.snapshot("products")}
    wrong = []
    for i in range(1, n + 1):
        got = held.get(f"BENCH-{letter}-{i:05d}") or {}
        description = next((c.get("value") for c in got.get("custom_attributes") or []
                            if c.get("attribute_code") == "description"), None)  # fmt: skip
        if got.get("price") != REPRICED or description != PAGE_BUILDER:
            wrong.append(f"BENCH-{letter}-{i:05d} {got.get('price')} {str(description)[:40]!r}")
    problems = [f"{phase.path}: {f}" for f in phase.failures]
    if wrong:
        problems.append(
            f"{phase.path}: {len(wrong)} of {n} SKUs lack the new price or their Page Builder "
            f"description (e.g. {wrong[:3]})"
        )
    if phase.failed:
        problems.append(f"{phase.path}: failed logs: {phase.failed}")
    return problems


def verify(magento: Any, n: int, phases: list[Phase]) -> list[str]:
    """Magento holds every SKU of the paths run, with Odoo's name and price."""
    problems = []
    held = {p["sku"]: p for p in magento.store.snapshot("products")}
    for phase in phases:
        letter, wrong, missing = PATHS[phase.path], [], 0
        for i in range(1, n + 1):
            want = product_values(letter, i)
            got = held.get(want["default_code"])
            if got is None:
                missing += 1
            elif (
                got.get("name") != want["name"]
                or abs(float(got.get("price") or 0) - want["list_price"]) > 0.005
            ):
                wrong.append(f"{want['default_code']} {got.get('name')!r} {got.get('price')}")
        if phase.stock_counts is not None:
            sources = {
                i["sku"]: i["quantity"]
                for i in magento.store.snapshot("source_items")
                if str(i["sku"]).startswith(f"BENCH-{letter}-")
            }
            off = [s for s in (f"BENCH-{letter}-{i:05d}" for i in range(1, n + 1))
                   if sources.get(s) != quantity_of(s)]  # fmt: skip
            if off:
                problems.append(
                    f"{phase.path}: {len(off)} SKUs lack Odoo's quantity in Magento's default "
                    f"source (e.g. {[(s, sources.get(s)) for s in off[:3]]})"
                )
        if missing or wrong:
            problems.append(
                f"{phase.path}: Magento lacks {missing} of {n} SKUs and holds {len(wrong)} with "
                f"another name or price (e.g. {wrong[:3]})"
            )
        problems += [f"{phase.path}: {f}" for f in phase.failures]
        if phase.failed or phase.stock_states["failed"]:
            problems.append(
                f"{phase.path}: failed logs: pages {phase.page_states['failed']}, products "
                f"{phase.product_states['failed']}, stock pushes {phase.stock_states['failed']}"
            )
    return problems


# -- report ------------------------------------------------------------------------------------


def per_1000(count: int, n: int) -> str:
    return f"{count * 1000 / n:.1f}"


def report(args: argparse.Namespace, phases: list[Phase], problems: list[str], stock: str) -> None:
    print()
    print(f"command: {command_line(args)}")
    print(
        f"latency: Magento {args.magento_latency_ms:g} ms, Odoo {args.odoo_latency_ms:g} ms per "
        f"request; worker: 1 x prefork, concurrency {args.concurrency}; stock push: {stock}"
    )
    head = (
        "| path | products | pages | wall s | products/s | Magento req/1000 | Odoo calls/1000 "
        "| failed logs | stock push wall s | stock Magento req/1000 | stock Odoo calls/1000 "
        "| stock failed |"
    )
    print(head)
    print("|" + "---|" * head.count(" | ") + "---|")
    for p in phases:
        n = p.products
        sc = p.stock_counts
        stock_cols = (
            [f"{p.stock_wall:.1f}", per_1000(sc.magento, n), per_1000(sc.odoo, n)]
            if sc is not None and p.stock_wall is not None
            else ["-", "-", "-"]
        )
        cols = [
            p.path,
            str(n),
            str(p.pages),
            f"{p.wall:.1f}",
            f"{n / p.wall:.1f}",
            per_1000(p.counts.magento, n),
            per_1000(p.counts.odoo, n),
            str(p.failed),
            *stock_cols,
            str(p.stock_states["failed"]) if sc is not None else "-",
        ]
        print("| " + " | ".join(cols) + " |")
    for p in phases:
        print(
            f"{p.path}: poll task {p.poll_s:.1f} s (drafts and queues the pages); page task "
            f"median {statistics.median(p.page_s):.1f} s, max {p.page_s[-1]:.1f} s; export CPU s: "
            f"worker {p.cpu_s[0]:.1f}, sandboxes (this process) {p.cpu_s[1]:.1f}"
        )
    for p in phases:
        print(f"Magento requests of the {p.path} export by route:")
        for route, hits in p.counts.routes.most_common(8):
            print(f"  {hits:>7}  {route}")
        if p.stock_counts is not None:
            print(f"Magento requests of the {p.path} stock pushes by route:")
            for route, hits in p.stock_counts.routes.most_common(5):
                print(f"  {hits:>7}  {route}")
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print(
            f"OK: Magento holds all {args.products} SKUs of each path with Odoo's name, price and "
            "quantity; no log failed"
            + ("; repriced, with their Page Builder descriptions untouched" if args.reprice else "")
        )


# -- main --------------------------------------------------------------------------------------


def worker_cpu(worker: Worker) -> float:
    time.sleep(0.3)  # one more sample of the worker's processes
    return sum(worker.cpu_s.values())


def stock_push_available() -> bool:
    """Whether a page queues its stock push (`tasks.inventory.push_job`, the stock helper's)."""
    try:
        import tasks.inventory
    except ImportError:
        return False
    return hasattr(tasks.inventory, "push_job")


def run(args: argparse.Namespace, data_dir: Path) -> int:
    from bridge import db
    from sandbox.magento import MagentoSandbox
    from sandbox.odoo import OdooSandbox
    from workers.app import app

    db.upgrade(os.environ["BRIDGE_DATABASE_URL"])
    flush_redis()
    n = args.products
    stock = "measured apart (inventory queue consumed after each export)"
    if not stock_push_available():
        stock = "MISSING: tasks.inventory.push_job does not exist, pages fail after export"
        print(f"WARNING: {stock}", flush=True)
    odoo_sandbox = OdooSandbox(cost_scale=0, workers=args.odoo_workers)
    with MagentoSandbox() as magento, odoo_sandbox as odoo:
        started = time.perf_counter()
        conn_id, templates = prepare(magento, odoo, args.paths, n)
        odoo.cost.configure(scale=args.cost_scale)  # the setup is not what is measured
        print(f"setup: connection and {n} x {len(args.paths)} Odoo products in "
              f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip

        set_latency(magento, odoo, args.magento_latency_ms, args.odoo_latency_ms)
        worker = Worker(args.concurrency, data_dir / "worker.log").start()
        phases: list[Phase] = []
        checked: list[str] = []
        try:
            app.control.cancel_consumer("inventory", reply=True)
            for path in args.paths:
                cpu = (worker_cpu(worker), time.process_time())
                phase, poll_id, pages = export_phase(
                    magento, odoo, conn_id, path, templates[path], args.timeout
                )
                phase.cpu_s = (worker_cpu(worker) - cpu[0], time.process_time() - cpu[1])
                print(f"{path}: {n} products exported in {phase.wall:.1f} s", flush=True)
                if stock_push_available():
                    stock_phase(magento, odoo, conn_id, phase, poll_id, pages, args.timeout)
                    print(f"{path}: stock pushed in {phase.stock_wall:.1f} s", flush=True)
                phases.append(phase)
                checked += verify(magento, n, [phase])  # before a reprice changes them
                if args.reprice:
                    reprice(magento, odoo, conn_id, PATHS[path], templates[path])
                    cpu = (worker_cpu(worker), time.process_time())
                    again, _, _ = export_phase(
                        magento, odoo, conn_id, path, templates[path], args.timeout
                    )
                    again.path = f"{path} reprice"
                    again.cpu_s = (worker_cpu(worker) - cpu[0], time.process_time() - cpu[1])
                    print(f"{again.path}: {n} products re-exported in {again.wall:.1f} s",
                          flush=True)  # fmt: skip
                    checked += verify_repriced(magento, n, again, PATHS[path])
                    phases.append(again)
        except (TimeoutError, RuntimeError) as exc:
            print(f"FAILED: {exc}\n--- worker log (tail) ---\n{worker.output()[-3000:]}")
            return 1
        finally:
            worker.stop()
        problems = checked
        cost = odoo.cost.stats()
        print(f"Odoo cost model: scale {args.cost_scale:g}, {args.odoo_workers} workers; server "
              f"time {cost['server_seconds']:.0f} s, by method {cost['by_method']}")  # fmt: skip
        report(args, phases, problems, stock)
        if problems:
            print(f"--- worker log (tail) ---\n{worker.output()[-3000:]}")
        return 1 if problems else 0


def main() -> int:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bridge-bench-catalog-"))
    pg_url = None
    try:
        pg_url = create_pg_database()
        set_environment(data_dir, pg_url)
        return run(args, data_dir)
    finally:
        with contextlib.suppress(Exception):
            flush_redis()
        if pg_url is not None:
            with contextlib.suppress(Exception):
                from bridge import db

                db.reset_engines()
            drop_pg_database(pg_url)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
