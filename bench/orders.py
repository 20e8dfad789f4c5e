"""Order import through the real pipeline: Magento sandbox -> pull -> page tasks -> worker -> Odoo.

    python bench/orders.py [--orders 5000] [--concurrency 2] [--magento-latency-ms 50]
                           [--odoo-latency-ms 25] [--repeats page|across] [--sqlite]
                           [--template 000000014|000000104] [--timeout 1800]
                           [--cost-scale 1] [--odoo-workers 4] [--parallel-pages 2]

The Odoo sandbox charges a real Odoo 18's server time per call (sandbox/odoo/cost.py,
`--cost-scale 1`, 0 = off: what the figures before issue 15 measured) in
`--odoo-workers` workers, from the timed phase on; the connection lets
`--parallel-pages` pages talk to Odoo at once (`odoo_parallel_pages`), whatever
`--concurrency`. The end checks the payments too: one per card-paid order, of its
invoice's amount, none of 0.00 (issue 16).

`--odoo-url URL --odoo-db DB [--odoo-login admin --odoo-key admin]` runs against a real
Odoo instead (a fresh database: the checks count every sale order and payment in it);
`--odoo-pid` (default: /work/odoo18/odoo.pid if present) names its server process, whose
CPU time over the timed phase is reported.

Both sandboxes run in this process; the state lives in a throwaway PostgreSQL
database (or SQLite with --sqlite), the broker is Redis db 14 (flushed), and one
real `celery worker` (prefork) imports the orders. Setup (setup imports, tax,
products, N orders made from seeded order 000000014, or with --template 000000104
from the money tests' four odd prices at 8.25 % (each order gets a rounding line
under Odoo's default per-line tax rounding): half paid online with
Braintree, half offline by check; guests and registered customers, a quarter of
the orders from a repeat customer, by default one seen earlier in the same page)
is not timed. Timed: from queueing the orders pull until
the pull and every page it queued are finished. Calls are counted by the
sandboxes over that phase only. Peak RSS is the largest sum of VmHWM of the
worker and its pool children, sampled every 0.2 s. Everything is cleaned up.
The page size is PAGE_SIZE in tasks/orders.py (100).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
#: Flushed by the run: BRIDGE_BENCH_REDIS_URL points it at a database of your own.
REDIS_URL = os.environ.get("BRIDGE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
TEMPLATE = "000000014"
#: A `cents_orders` order whose Odoo total needs a rounding line (round_per_line).
ROUNDED = "000000104"
ONLINE, OFFLINE = ("braintree", "Credit Card (Braintree)"), ("checkmo", "Check / Money order")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--magento-latency-ms", type=float, default=50.0)
    parser.add_argument("--odoo-latency-ms", type=float, default=25.0)
    parser.add_argument("--sqlite", action="store_true", help="state in SQLite, not PostgreSQL")
    parser.add_argument(
        "--repeats",
        choices=("page", "across"),
        default="page",
        help="where repeat customers' earlier orders are: same page, or earlier pages",
    )
    parser.add_argument(
        "--template",
        choices=(TEMPLATE, ROUNDED),
        default=TEMPLATE,
        help="the order the N orders copy: no rounding line, or a -0.02 tax rounding line",
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds for the import")
    parser.add_argument(
        "--cost-scale",
        type=float,
        default=1.0,
        help="Odoo server-cost model: 1 = a real Odoo 18's per-call server time, 0 = off",
    )
    parser.add_argument("--odoo-workers", type=int, default=4, help="the Odoo sandbox's workers")
    parser.add_argument(
        "--parallel-pages",
        type=int,
        default=2,
        help="the connection's odoo_parallel_pages: pages at once against Odoo (0: no limit)",
    )
    parser.add_argument("--odoo-url", help="a real Odoo instead of the sandbox")
    parser.add_argument("--odoo-db")
    parser.add_argument("--odoo-login", default="admin")
    parser.add_argument("--odoo-key", default="admin")
    parser.add_argument("--odoo-pid", type=int, default=None, help="the real Odoo's pid")
    parser.add_argument(
        "--odoo-login-cost",
        type=float,
        default=None,
        help="seconds one Odoo password check costs (default: the sandbox's, 0.9 as a real "
        "Odoo 18 hashing it, or BRIDGE_SANDBOX_ODOO_LOGIN_COST)",
    )
    return parser.parse_args()


def command_line(args: argparse.Namespace) -> str:
    cmd = (
        f"python bench/orders.py --orders {args.orders} --concurrency {args.concurrency} "
        f"--magento-latency-ms {args.magento_latency_ms:g} "
        f"--odoo-latency-ms {args.odoo_latency_ms:g}"
    )
    cmd += f" --repeats {args.repeats}" if args.repeats != "page" else ""
    if args.odoo_login_cost is not None:
        cmd += f" --odoo-login-cost {args.odoo_login_cost:g}"
    cmd += f" --template {args.template}" if args.template != TEMPLATE else ""
    cmd += f" --cost-scale {args.cost_scale:g} --odoo-workers {args.odoo_workers}"
    cmd += f" --parallel-pages {args.parallel_pages}"
    if args.odoo_url:
        cmd += f" --odoo-url {args.odoo_url} --odoo-db {args.odoo_db}"
    return cmd + (" --sqlite" if args.sqlite else "")


# -- environment -------------------------------------------------------------------------------


def set_environment(data_dir: Path, db_url: str) -> None:
    """Before any Bridge module is imported: they read their settings once."""
    from cryptography.fernet import Fernet

    os.environ.update(
        {
            "BRIDGE_DATA_DIR": str(data_dir),
            "BRIDGE_DATABASE_URL": db_url,
            "BRIDGE_BROKER_URL": REDIS_URL,
            "BRIDGE_SECRET_KEY": Fernet.generate_key().decode(),
        }
    )


def create_pg_database() -> str:
    import psycopg2

    name = f"bridge_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# -- the shop ------------------------------------------------------------------------------------


def register_connection(magento: Any, odoo: Any, parallel_pages: int = 2) -> int:
    from bridge import db
    from bridge.clients.magento import MagentoAuth
    from bridge.models import MagentoAuthMethod
    from bridge.sync.connections import NewConnection, add_connection
    from sandbox.magento import ADMIN_PASSWORD, ADMIN_USERNAME

    new = NewConnection(
        name="bench",
        magento_url=magento.url,
        magento=MagentoAuth(
            MagentoAuthMethod.ADMIN, username=ADMIN_USERNAME, password=ADMIN_PASSWORD
        ),
        odoo_url=odoo.url,
        odoo_db=getattr(odoo, "db_name", "bridge"),
        odoo_login=getattr(odoo, "login", "admin"),
        odoo_secret=getattr(odoo, "key", "admin"),
        settings={"odoo_parallel_pages": parallel_pages},
    )
    with db.session_scope() as session:
        return add_connection(session, new).id


def prepare_shop(
    magento: Any, odoo: Any, template: str, parallel_pages: int = 2
) -> tuple[int, dict[str, Any]]:
    """Connection, setup imports, the 8.25 % tax and the products; returns the template order."""
    from bridge import db
    from bridge.clients.magento_search import SearchCriteria
    from bridge.mappers import order as om
    from bridge.models import Connection
    from bridge.sync.connections import magento_client, odoo_client
    from bridge.sync.setup import IMPORTS, SetupContext
    from sandbox.magento.seed.luma import catalog, customers
    from sandbox.magento.seed.luma import orders as seeded

    if template != TEMPLATE:
        for o in seeded.cents_orders(catalog.products(), customers.customers()):
            if o["increment_id"] == template:
                magento.store.put("orders", o)
    conn_id = register_connection(magento, odoo, parallel_pages)
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        for run in IMPORTS.values():
            run(SetupContext(s, conn, magento_client(conn), odoo_client(conn)))
        oclient, mclient = odoo_client(conn), magento_client(conn)
    oclient.create("account.tax", [{"name": "8.25%", "amount": 8.25, "amount_type": "percent",
                                    "type_tax_use": "sale"}])  # fmt: skip
    orders = list(mclient.iter_records("orders", SearchCriteria(), fields=om.ORDER_FIELDS))
    skus = sorted({line.sku for o in orders for line in om.order(o).lines})
    oclient.create(
        "product.product", [{"name": s, "default_code": s, "type": "consu"} for s in skus]
    )
    return conn_id, magento.store.get("orders", next(
        o["entity_id"] for o in orders if o["increment_id"] == template
    ))  # fmt: skip


def customer_of(i: int, n: int, repeats: str) -> int:
    """The customer number of order `i`: a quarter of the orders come from a customer seen before.

    "page": the repeat customer was seen earlier in the same page of 100 (the page's
    partner lookup finds them). "across": seen in an earlier page, possibly one a
    second pool process is importing at the same moment.
    """
    if repeats == "across":
        return i % max(1, n - n // 4)
    page, pos = divmod(i, 100)
    return page * 100 + (pos % 75)


def load_orders(magento: Any, template: dict[str, Any], n: int, repeats: str) -> None:
    """Replace the seeded orders with `n` made from the template, straight into the store.

    Even orders are paid online (Braintree), odd ones offline (check); even customers
    are registered, odd ones are guests.
    """
    for o in magento.store.list("orders"):
        magento.store.delete("orders", o["entity_id"])
    updated = datetime.strptime(template["updated_at"], "%Y-%m-%d %H:%M:%S")
    for i in range(n):
        o = copy.deepcopy(template)
        c = customer_of(i, n, repeats)
        method, title = ONLINE if i % 2 == 0 else OFFLINE
        o.update(
            increment_id=f"3{i:08d}",
            entity_id=100_000 + i,
            customer_email=f"customer{c}@example.com",
            customer_id=10_000 + c if c % 2 == 0 else None,
            customer_is_guest=0 if c % 2 == 0 else 1,
            updated_at=(updated + timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S"),
            payment={**o["payment"], "method": method, "additional_information": [title]},
        )
        magento.store.put("orders", o)


# -- the worker --------------------------------------------------------------------------------


def _status_kib(pid: int, field: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process, from /proc/<pid>/stat."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


class Worker:
    """One `celery worker` subprocess, with a thread sampling its memory every 0.2 s."""

    def __init__(self, concurrency: int, log_path: Path) -> None:
        self.concurrency = concurrency
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_hwm_kib = 0
        self.peak_rss_kib = 0
        self.processes_seen: set[int] = set()
        self.cpu_s: dict[int, float] = {}
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> Worker:
        from celeryconfig import QUEUES

        cmd = [sys.executable, "-m", "celery", "-A", "workers.app", "worker"]
        cmd += ["-Q", ",".join(QUEUES), "-c", str(self.concurrency), "-P", "prefork"]
        cmd += ["-l", "WARNING", "--without-gossip", "--without-mingle"]
        cmd += ["-n", f"bench-{uuid.uuid4().hex[:6]}@%h"]
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=REPO,
                env=os.environ.copy(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._sampler.start()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        """Ready when it answers a ping over the broker (-l WARNING prints no "ready.")."""
        from workers.app import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                break
            if app.control.ping(timeout=0.5):
                return
        raise RuntimeError(f"worker did not start:\n{self.output()[-3000:]}")

    def _sample(self) -> None:
        while not self._stop.is_set():
            if self.proc is not None:
                pids = [self.proc.pid, *_children(self.proc.pid)]
                self.processes_seen.update(pids)
                for pid in pids:
                    self.cpu_s[pid] = max(self.cpu_s.get(pid, 0.0), _cpu_seconds(pid))
                hwm = sum(_status_kib(p, "VmHWM") for p in pids)
                rss = sum(_status_kib(p, "VmRSS") for p in pids)
                self.peak_hwm_kib = max(self.peak_hwm_kib, hwm)
                self.peak_rss_kib = max(self.peak_rss_kib, rss)
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        if self._sampler.is_alive():
            self._sampler.join(timeout=5)
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


# -- a real Odoo ----------------------------------------------------------------------------------


class RealOdoo:
    """A real Odoo over RPC (`--odoo-url`), read the way the run reads the sandbox."""

    login_cost = 0.0

    def __init__(self, url: str, db: str, login: str, key: str, pid: int | None) -> None:
        from bridge.clients.odoo import OdooClient

        self.url, self.db_name, self.login, self.key = url.rstrip("/"), db, login, key
        self.client = OdooClient(url, db, login, key, timeout=120, business_timeout=600)
        self.pid = pid

    def __enter__(self) -> RealOdoo:
        self.client.authenticate()
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def records(self, model: str) -> list[dict[str, Any]]:
        if model == "sale.order":
            return self.client.search_read(model, [], ["client_order_ref"])
        if model == "account.move":
            return self.client.search_read(
                model, [("move_type", "=", "out_invoice")], ["move_type", "amount_total"]
            )
        if model == "account.payment":
            rows = self.client.search_read(model, [], ["amount", "reconciled_invoice_ids"])
            return [{**r, "invoice_ids": r["reconciled_invoice_ids"]} for r in rows]
        raise ValueError(model)

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.pid) if self.pid else 0.0


def odoo_pid(args: argparse.Namespace) -> int | None:
    if args.odoo_pid:
        return args.odoo_pid
    pidfile = Path("/work/odoo18/odoo.pid")
    with contextlib.suppress(OSError, ValueError):
        return int(pidfile.read_text().strip())
    return None


# -- measuring ---------------------------------------------------------------------------------


def sandbox_get(url: str) -> dict[str, Any]:
    import requests

    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.json()


def set_latency(magento: Any, odoo: Any, magento_ms: float, odoo_ms: float) -> None:
    """Reset both sandboxes' fault counters, then set the latency (odoo None: a real one)."""
    import requests

    for sandbox, ms in ((magento, magento_ms), (odoo, odoo_ms)):
        if sandbox is None:
            continue
        url = f"{sandbox.url}/__sandbox__/faults"
        requests.delete(url, timeout=10).raise_for_status()
        requests.post(url, json={"latency_ms": ms}, timeout=10).raise_for_status()


def counters(magento: Any, odoo: Any) -> dict[str, int]:
    if isinstance(odoo, RealOdoo):
        requests_ = sandbox_get(f"{magento.url}/__sandbox__/faults")["requests"]
        return {"magento_requests": requests_, "odoo_requests": 0, "odoo_calls": 0,
                "password_checks": 0}  # fmt: skip
    return {
        "magento_requests": sandbox_get(f"{magento.url}/__sandbox__/faults")["requests"],
        "odoo_requests": sandbox_get(f"{odoo.url}/__sandbox__/faults")["requests"],
        "odoo_calls": sandbox_get(f"{odoo.url}/__sandbox__/odoo/stats")["calls"],
        "password_checks": sandbox_get(f"{odoo.url}/__sandbox__/odoo/stats")["password_checks"],
    }


def wait_for_import(pull_id: int, timeout: float) -> tuple[Any, list[Any]]:
    """The finished pull log and page logs; raises TimeoutError when the deadline passes."""
    from tasks.outbox import wait_for

    deadline = time.monotonic() + timeout
    pull = wait_for(pull_id, timeout, poll=0.1)
    if pull is None:
        raise TimeoutError(f"the pull log {pull_id} did not finish within {timeout:.0f} s")
    pages = []
    for page_id in (pull.result or {}).get("page_logs", []):
        page = wait_for(page_id, max(0.0, deadline - time.monotonic()), poll=0.1)
        if page is None:
            raise TimeoutError(f"page log {page_id} did not finish within {timeout:.0f} s")
        pages.append(page)
    return pull, pages


def order_logs_by_state() -> dict[str, int]:
    from sqlalchemy import func, select

    from bridge import db
    from bridge.models import SyncLog

    with db.session_scope() as s:
        rows = s.execute(
            select(SyncLog.state, func.count())
            .where(SyncLog.entity == "order")
            .group_by(SyncLog.state)
        ).all()
        return {str(state): n for state, n in rows}


def _seconds(log: Any) -> float:
    if log.started_at is None or log.finished_at is None:
        return 0.0
    return (log.finished_at - log.started_at).total_seconds()


def verify(odoo: Any, n: int, pull: Any, pages: list[Any]) -> list[str]:
    """What is wrong at the end, as failure lines (empty when all is well)."""
    problems = []
    if str(pull.state) != "done":
        problems.append(f"the pull log ended {pull.state}: {pull.reason}")
    for page in pages:
        if str(page.state) != "done":
            problems.append(f"page log {page.id} ended {page.state}: {page.reason}")
    refs = [o.get("client_order_ref") for o in odoo.records("sale.order")]
    if len(refs) != n or len(set(refs)) != n:
        problems.append(
            f"Odoo holds {len(refs)} sale orders with {len(set(refs))} distinct "
            f"client_order_ref, expected {n} and {n}"
        )
    logs = order_logs_by_state()
    if logs != {"done": n}:
        problems.append(f"order logs by state are {logs}, expected {{'done': {n}}}")
    return problems + verify_payments(odoo, (n + 1) // 2)


def verify_payments(odoo: Any, card_paid: int) -> list[str]:
    """Issue 16: one payment per card-paid order, of its invoice's amount; none of 0.00."""
    invoices = {m["id"]: m["amount_total"] for m in odoo.records("account.move")
                if m["move_type"] == "out_invoice"}  # fmt: skip
    payments = odoo.records("account.payment")
    per_invoice: dict[int, list[float]] = {i: [] for i in invoices}
    for p in payments:
        for inv in p.get("invoice_ids") or []:
            per_invoice.setdefault(inv[0] if isinstance(inv, list) else inv, []).append(p["amount"])
    problems = []
    if len(payments) != card_paid or len(invoices) != card_paid:
        problems.append(f"{len(payments)} payments on {len(invoices)} invoices, "
                        f"expected {card_paid} and {card_paid}")  # fmt: skip
    zero = [p for p in payments if abs(p["amount"]) < 0.005]
    if zero:
        problems.append(f"{len(zero)} payments of 0.00")
    wrong = [i for i, amounts in per_invoice.items()
             if [round(a, 2) for a in amounts] != [round(invoices[i], 2)]]  # fmt: skip
    if wrong:
        problems.append(f"{len(wrong)} invoices without exactly one payment of their amount")
    return problems


def timeouts(pages: list[Any]) -> int:
    """Calls that timed out: retried pages say so in their history; waited steps too."""
    count = 0
    for page in pages:
        result = page.result or {}
        count += len(result.get("waited_for_odoo") or {})
        count += "did not answer" in (page.reason or "")
    return count


def report(args: argparse.Namespace, figures: list[tuple[str, str]], problems: list[str]) -> None:
    print()
    print(f"command: {command_line(args)}")
    width = max(len(name) for name, _ in figures)
    for name, value in figures:
        print(f"  {name:<{width}}  {value}")
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print(
            f"OK: Odoo holds {args.orders} sale orders, one per Magento order; all logs done; "
            f"{(args.orders + 1) // 2} payments, one per card-paid invoice, of its amount"
        )


# -- main --------------------------------------------------------------------------------------


def run(args: argparse.Namespace, data_dir: Path) -> int:
    from bridge import db
    from sandbox.magento import MagentoSandbox
    from sandbox.odoo import OdooSandbox
    from tasks.dispatch import pull_job
    from tasks.outbox import enqueue

    db.upgrade(os.environ["BRIDGE_DATABASE_URL"])
    flush_redis()
    n = args.orders
    real = bool(args.odoo_url)
    sandboxes = (
        MagentoSandbox(),
        (
            RealOdoo(args.odoo_url, args.odoo_db, args.odoo_login, args.odoo_key, odoo_pid(args))
            if real
            else OdooSandbox(
                login_cost=args.odoo_login_cost, cost_scale=0, workers=args.odoo_workers
            )
        ),
    )
    with sandboxes[0] as magento, sandboxes[1] as odoo:
        started = time.perf_counter()
        conn_id, template = prepare_shop(magento, odoo, args.template, args.parallel_pages)
        load_orders(magento, template, n, args.repeats)
        print(f"setup: shop prepared and {n} orders loaded in "
              f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip

        if real:
            set_latency(magento, None, args.magento_latency_ms, 0)
        else:
            set_latency(magento, odoo, args.magento_latency_ms, args.odoo_latency_ms)
            odoo.cost.configure(scale=args.cost_scale)  # the setup is not what is measured
        before = counters(magento, odoo)
        odoo_cpu = odoo.cpu_seconds() if real else 0.0
        worker = Worker(args.concurrency, data_dir / "worker.log").start()
        try:
            started, cpu_started = time.perf_counter(), time.process_time()
            pull_id = enqueue(pull_job("orders"), conn_id)
            pull, pages = wait_for_import(pull_id, args.timeout)
            wall = time.perf_counter() - started
            sandbox_cpu = time.process_time() - cpu_started
        except TimeoutError as exc:
            print(f"FAILED: {exc}\n--- worker log (tail) ---\n{worker.output()[-3000:]}")
            return 1
        finally:
            worker.stop()
        after = counters(magento, odoo)
        odoo_cpu = odoo.cpu_seconds() - odoo_cpu if real else 0.0
        delta = {k: after[k] - before[k] for k in after}

        problems = verify(odoo, n, pull, pages)
        page_times = sorted(_seconds(p) for p in pages) or [0.0]
        retried = sum(1 for p in pages if (p.attempts or 0) > 1)
        calls, requests_, mcalls = (
            delta["odoo_calls"],
            delta["odoo_requests"],
            delta["magento_requests"],
        )
        median_page = statistics.median(page_times)
        cost = (
            {"server_seconds": odoo_cpu, "queued_calls": 0, "by_method": {}}
            if real
            else odoo.cost.stats()
        )
        spent = ", ".join(f"{k.replace('account.payment.register.', 'payment.')} {v:.0f}"
                          for k, v in list(cost["by_method"].items())[:6])  # fmt: skip
        figures = [
            ("orders", f"{n} in {len(pages)} pages"),
            ("state database", "SQLite" if args.sqlite else "PostgreSQL"),
            ("latency ms", f"Magento {args.magento_latency_ms:g}, Odoo {args.odoo_latency_ms:g}"),
            ("worker", f"1 x prefork, concurrency {args.concurrency}"),
            (
                "Odoo",
                f"real, {args.odoo_url} db {args.odoo_db}, server CPU measured; "
                f"{args.parallel_pages} parallel pages"
                if real
                else f"sandbox cost model scale {args.cost_scale:g}, {args.odoo_workers} Odoo "
                f"workers, {args.parallel_pages} parallel pages (odoo_parallel_pages)",
            ),
            (
                "Odoo server time",
                f"{cost['server_seconds']:.0f} s ({cost['server_seconds'] / n:.3f} s/order); "
                f"{cost['queued_calls']} calls waited for an Odoo worker",
            ),
            ("  by method, s", spent or "-"),
            ("wall time", f"{wall:.1f} s"),
            ("orders/s", f"{n / wall:.1f}"),
            ("pull task", f"{_seconds(pull):.1f} s"),
            ("page task", f"median {median_page:.2f} s, max {page_times[-1]:.2f} s"),
            ("pages retried", str(retried)),
            ("calls timed out", str(timeouts(pages))),
            ("Odoo calls/order", f"{calls / n:.3f} ({calls} execute_kw)"),
            ("Odoo calls/page", f"{calls / max(1, len(pages)):.1f}"),
            ("Odoo HTTP requests", f"{requests_} (calls plus logins)"),
            (
                "Odoo password checks",
                f"{delta['password_checks']} x {odoo.login_cost:g} s "
                f"= {delta['password_checks'] * odoo.login_cost:.1f} s of server time; "
                f"{1000 * delta['password_checks'] / n:.1f} per 1,000 orders "
                f"(logins are kept per worker process: {args.concurrency} here)",
            ),
            ("Magento calls/order", f"{mcalls / n:.4f} ({mcalls} requests)"),
            ("CPU s", f"worker {sum(worker.cpu_s.values()):.1f}, sandboxes {sandbox_cpu:.1f}"),
            ("worker peak RSS", f"{worker.peak_hwm_kib / 1024:.0f} MiB"),
            (
                "",
                f"(sum of VmHWM of {len(worker.processes_seen)} processes; "
                f"peak summed VmRSS {worker.peak_rss_kib / 1024:.0f} MiB)",
            ),
        ]
        report(args, figures, problems)
        if problems:
            print(f"--- worker log (tail) ---\n{worker.output()[-3000:]}")
        return 1 if problems else 0


def main() -> int:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bridge-bench-orders-"))
    pg_url = None
    try:
        if args.sqlite:
            db_url = f"sqlite:///{data_dir / 'bridge.sqlite3'}"
        else:
            pg_url = db_url = create_pg_database()
        set_environment(data_dir, db_url)
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
