"""Event -> record visible in Odoo: an order placed in Magento, until Odoo holds it.

    python bench/events.py [--orders 50] [--interval 0.5] [--batch] [--concurrency 2]
                           [--magento-latency-ms 0] [--odoo-latency-ms 0]

Both sandboxes and the event endpoint (`bridge serve`'s WSGI app, threaded) run in this
process, with the sandboxes' defaults unless told (no added latency; an Odoo password
check costs 0.9 s, as a real Odoo 18 hashing it); the state is a throwaway PostgreSQL
database, the broker Redis (`BRIDGE_BENCH_REDIS_URL`, default db 14, flushed), and one
real `celery worker` (prefork) does the imports. The Magento sandbox is registered as
Adobe I/O Events registers a webhook (challenge, RSA signatures, keys fetched by
Bridge). Setup is not timed. Timed, per order: from saving it in Magento (one every
`--interval` s) until a `sale.order` with its reference is in Odoo's store (sampled every
10 ms), so the figure holds delivery, signature check, receipt, the targeted pull, the
page import and Odoo's writes. At the end every order must be in Odoo exactly once.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CLIENT_ID = "bridge-bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between orders")
    parser.add_argument("--batch", action="store_true", help="batch delivery (webhook_batch)")
    parser.add_argument(
        "--warmup",
        type=int,
        default=4,
        help="orders first, not timed (each worker process logs in to Odoo once: 0.9 s)",
    )
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--magento-latency-ms", type=float, default=0.0)
    parser.add_argument("--odoo-latency-ms", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds for the last order")
    parser.add_argument(
        "--outage",
        type=float,
        default=0.0,
        help="stop the endpoint this many seconds after a "
        "third of the orders (orders go on); on restart, run the journal job once, as beat would",
    )
    return parser.parse_args()


def command_line(args: argparse.Namespace) -> str:
    cmd = f"python bench/events.py --orders {args.orders} --interval {args.interval:g}"
    cmd += " --batch" if args.batch else ""
    cmd += f" --warmup {args.warmup}" if args.warmup != 4 else ""
    cmd += f" --outage {args.outage:g}" if args.outage else ""
    if args.concurrency != 2:
        cmd += f" --concurrency {args.concurrency}"
    if args.magento_latency_ms or args.odoo_latency_ms:
        cmd += f" --magento-latency-ms {args.magento_latency_ms:g}"
        cmd += f" --odoo-latency-ms {args.odoo_latency_ms:g}"
    return cmd


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


class Watcher:
    """Samples Odoo's sale orders every 10 ms; notes when each reference first appears."""

    def __init__(self, odoo: Any) -> None:
        self.odoo = odoo
        self.seen: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.perf_counter()
            counts: dict[str, int] = {}
            for order in self.odoo.records("sale.order"):
                ref = order.get("client_order_ref") or ""
                counts[ref] = counts.get(ref, 0) + 1
                self.seen.setdefault(ref, now)
            self.counts = counts
            self._stop.wait(0.01)

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def phases() -> dict[str, float]:
    """Where the time goes, from the logs: medians over the timed orders' pulls and pages."""
    from sqlalchemy import select

    from bridge import db
    from bridge.models import SyncLog

    spans: dict[str, list[float]] = {}
    with db.session_scope() as s:
        pulls = s.scalars(select(SyncLog).where(SyncLog.entity == "orders.pull")).all()
        pages = {p.id: p for p in s.scalars(select(SyncLog).where(SyncLog.entity == "orders.page"))}
        for pull in pulls:
            page = pages.get(((pull.result or {}).get("page_logs") or [None])[0])
            if page is None or None in (pull.started_at, pull.finished_at, page.started_at,
                                        page.finished_at):  # fmt: skip
                continue
            for name, a, b in (
                ("pull queued", pull.created_at, pull.started_at),
                ("pull ran", pull.started_at, pull.finished_at),
                ("page queued", page.created_at, page.started_at),
                ("page ran", page.started_at, page.finished_at),
            ):
                spans.setdefault(name, []).append((b - a).total_seconds())
    return {name: statistics.median(v) for name, v in spans.items()}


def run(args: argparse.Namespace, data_dir: Path) -> int:
    import requests

    from bench import orders as orders_bench
    from bridge import db
    from bridge.events.app import application
    from bridge.models import EventSource
    from bridge.sync.event_source import set_event_source
    from sandbox.magento import MagentoSandbox
    from sandbox.odoo import OdooSandbox
    from sandbox.server import SandboxServer
    from tasks.dispatch import JOBS
    from tasks.outbox import enqueue

    db.upgrade(os.environ["BRIDGE_DATABASE_URL"])
    orders_bench.flush_redis()
    endpoint = SandboxServer(application).start()
    port = endpoint.port
    with MagentoSandbox() as magento, OdooSandbox() as odoo:
        conn_id, template = orders_bench.prepare_shop(magento, odoo, orders_bench.TEMPLATE)
        reg = requests.post(
            f"{magento.url}/__sandbox__/events/registrations",
            json={
                "url": f"{endpoint.url}/events/magento/bench",
                "client_id": CLIENT_ID,
                "batch": args.batch,
                "events": ["sales_order_save_after"],
            },
            timeout=30,
        ).json()
        with db.session_scope() as session:
            set_event_source(
                session, "bench", EventSource.IO_EVENTS, client_id=CLIENT_ID,
                keys_url=reg["keys_url"], journal_url=reg["journal_url"],
                ims_url=reg["ims_url"], client_secret=reg["client_secret"],
            )  # fmt: skip
        orders_bench.set_latency(magento, odoo, args.magento_latency_ms, args.odoo_latency_ms)
        worker = orders_bench.Worker(args.concurrency, data_dir / "worker.log").start()
        watcher = Watcher(odoo).start()
        placed: dict[str, float] = {}
        warm: dict[str, float] = {}
        missed: dict[str, float] = {}  # placed while the endpoint was down
        down_at = up_at = None
        try:
            for i in range(args.warmup + args.orders):
                if args.outage and down_at is None and i == args.warmup + args.orders // 3:
                    endpoint.stop()
                    down_at = time.perf_counter()
                if down_at and up_at is None and time.perf_counter() - down_at >= args.outage:
                    endpoint = SandboxServer(application, port=port).start()
                    up_at = time.perf_counter()
                    enqueue(JOBS["pull_journal"], conn_id)  # beat's next tick
                order = copy.deepcopy(template)
                ref = f"5{i:08d}"
                now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
                order.update(increment_id=ref, entity_id=200_000 + i, updated_at=now,
                             customer_email=f"event{i}@example.com")  # fmt: skip
                kind = warm if i < args.warmup else missed if down_at and not up_at else placed
                kind[ref] = time.perf_counter()
                magento.store.put("orders", order)
                time.sleep(args.interval if i >= args.warmup else 2.0)
            if down_at and not up_at:
                raise SystemExit("--outage outlasted the orders: lower it or add orders")
            deadline = time.monotonic() + args.timeout
            expected = [*placed, *missed]
            while time.monotonic() < deadline and not all(r in watcher.seen for r in expected):
                time.sleep(0.05)
            time.sleep(1.0)  # a late duplicate would show here
        finally:
            watcher.stop()
            worker.stop()
            endpoint.stop()
        latencies = [watcher.seen[r] - t for r, t in placed.items() if r in watcher.seen]
        problems = []
        missing = [r for r in [*placed, *missed] if r not in watcher.seen]
        if missing:
            problems.append(f"{len(missing)} order(s) never reached Odoo: {missing[:5]}")
        ours = {*placed, *warm, *missed}
        twice = {r: n for r, n in watcher.counts.items() if r in ours and n != 1}
        if twice:
            problems.append(f"orders in Odoo more than once: {twice}")
        print()
        print(f"command: {command_line(args)}")
        down = f" + {len(missed)} while down" if missed else ""
        print(f"  orders              {len(latencies)} live{down}, of {args.orders}")
        if latencies:
            print(f"  p50 event -> Odoo   {statistics.median(latencies):.3f} s")
            print(f"  p90                 {percentile(latencies, 90):.3f} s")
            print(f"  p99                 {percentile(latencies, 99):.3f} s")
            print(f"  max                 {max(latencies):.3f} s")
        if missed and up_at is not None and down_at is not None:
            back = [watcher.seen[r] - up_at for r in missed if r in watcher.seen]
            print(f"  endpoint down       {up_at - down_at:.1f} s; {len(missed)} orders placed "
                  f"meanwhile, all in Odoo {max(back or [0]):.2f} s after the restart "
                  "(journal)")  # fmt: skip
        for phase, seconds in phases().items():
            print(f"  {phase:<19} {seconds:.3f} s (median)")
        print(f"  load average        {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
              f" on {os.cpu_count()} CPUs")  # fmt: skip
        for problem in problems:
            print(f"FAILED: {problem}")
        if not problems:
            print("OK: every order in Odoo exactly once")
        return 1 if problems else 0


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(REPO))
    data_dir = Path(tempfile.mkdtemp(prefix="bridge-bench-events-"))
    from bench import orders as orders_bench

    db_url = orders_bench.create_pg_database()
    orders_bench.set_environment(data_dir, db_url)
    try:
        return run(args, data_dir)
    finally:
        orders_bench.drop_pg_database(db_url)


if __name__ == "__main__":
    sys.exit(main())
