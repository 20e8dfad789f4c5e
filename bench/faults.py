"""Fault runs: the real pipeline under flaky APIs, killed workers, a lost broker and a database
outage, counted in the real stores.

    python bench/faults.py [--orders 2000] [--scenario NAME ...] [--deadline 600]
                           [--magento-latency-ms 50] [--odoo-latency-ms 25]

Scenarios (all by default): `flaky`, `kill`, `redis`, `postgres` for the order import
(Magento -> Odoo), and `fulfillment-flaky`, `fulfillment-kill`, `fulfillment-redis`,
`fulfillment-postgres` for what goes back (Odoo deliveries, paid invoices and credit
notes -> Magento shipments, invoices and credit memos).

Everything runs here, with Bridge's default settings: a `redis-server` (no persistence)
and a PostgreSQL cluster (initdb + pg_ctl, from /usr/lib/postgresql/*/bin) of its own on
free ports, the two sandboxes in this process, the workers as docker-compose.yml runs
them (its `worker` services' queues and concurrency, read from the file), each restarted
when it exits as a supervisor would, and
one `celery -A workers.app beat`, which is not restarted: it must survive by itself.
The order import starts with beat's first `import_orders`; nothing is enqueued by hand.

The faults:
- flaky: Magento answers 10 % 5xx, 5 % 429 (Retry-After 1), 5 % timeouts (the request
  hangs longer than Bridge's HTTP timeout), 2 % dropped connections; Odoo 5 % 5xx.
- kill: `kill -9` of a pool process of the orders worker, then of its parent, then of
  its whole process group, each while work is running.
- redis: `kill -9` of redis-server, restarted empty 5 s later (no persistence).
- postgres: PostgreSQL stopped (`pg_ctl stop -m fast`) for 20 s, then started again.

Counted at the end, from the stores, not from Bridge's say-so: per Magento order the
Odoo sale orders with its `client_order_ref`, or the Magento shipments, invoices and
credit memos of each order; from the state database, logs still queued or running
(`stuck`: once beat is stopped, what waits after `--drain` seconds in which no log
finished) and failed logs of the flow with their reasons (beat's other jobs apart).
"recovered" is the time from the end of the fault (the last kill, the restart of Redis
or PostgreSQL; for flaky APIs the start) until the stores hold
what they should and no log of the flow is waiting. A run that is not there by
`--deadline` seconds after the fault ended is cut off and counted as it stands.
`baseline` and `fulfillment-baseline` run without a fault. Figures and how to read them:
docs/reliability.md.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

FAULTS = ("flaky", "kill", "redis", "postgres")
FLOWS = ("orders", "fulfillment")
SCENARIOS = tuple(
    f"{fault}" if flow == "orders" else f"{flow}-{fault}" for flow in FLOWS for fault in FAULTS
)
#: The same runs without a fault, to tell the harness's own limits from the faults'.
BASELINES = ("baseline", "fulfillment-baseline")
COMPOSE = REPO / "docker-compose.yml"


def worker_groups() -> list[tuple[str, int]]:
    """docker-compose.yml's workers as (queues, concurrency): the runs use what a
    deployment runs, read from the file rather than copied."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    groups = []
    for service in services.values():
        command = [str(part) for part in service.get("command") or []]
        if command[:1] == ["worker"]:
            groups.append((command[command.index("-Q") + 1], int(command[command.index("-c") + 1])))
    return groups


def group_of(queue: str) -> str:
    """The worker group that consumes `queue`: the one a kill scenario kills."""
    return next(queues for queues, _ in worker_groups() if queue in queues.split(","))


FLAKY_MAGENTO = {"rate_5xx": 0.10, "rate_429": 0.05, "rate_timeout": 0.05, "rate_drop": 0.02}
FLAKY_ODOO = {"rate_5xx": 0.05}
#: Bridge's default HTTP timeout (bridge/settings.py); a "timeout" fault hangs longer.
BRIDGE_HTTP_TIMEOUT = 30.0
#: Entities of each flow's logs: the flow is settled when none of them is waiting.
FLOW_ENTITIES = {
    "orders": ("order", "orders.page", "orders.pull"),
    "fulfillment": (
        "fulfillment.shipment",
        "fulfillment.invoice",
        "fulfillment.refund",
        "fulfillment.cancel",
        "fulfillment.poll",
    ),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


# -- Redis and PostgreSQL of our own --------------------------------------------------------


class RedisServer:
    """A `redis-server` without persistence: killed and restarted, it comes back empty."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        cmd = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(self.workdir)]  # fmt: skip
        log = open(self.workdir / "redis.log", "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        _wait_port(self.port)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    if path := shutil.which(name):
        return path
    raise RuntimeError(f"PostgreSQL's {name} not found under /usr/lib/postgresql/*/bin")


class PostgresServer:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free port, trust auth."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir / "pg"
        # PostgreSQL refuses to run as root: run its tools as the postgres user then.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self._as, *cmd], check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresServer:
        if not (self.dir / "data").exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            if self._as:
                shutil.chown(self.dir, "postgres")
            self._run(_pg_bin("initdb"), "-D", str(self.dir / "data"), "-U", "postgres",
                      "-A", "trust", "-E", "UTF8", "--no-sync")  # fmt: skip
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-l",
                  str(self.dir / "server.log"), "-o", opts, "-w", "start")  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(_pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", mode, "-w", "stop")

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self) -> str:
        import psycopg2

        name = f"bridge_faults_{uuid.uuid4().hex[:8]}"
        admin = psycopg2.connect(self.url())
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return self.url(name)


# -- Celery processes, supervised ----------------------------------------------------------


class CeleryProcess:
    """One `celery -A workers.app ...` process in a process group of its own.

    `supervised`: restarted 1 s after it exits, as docker's `restart: unless-stopped`
    or systemd would. Beat is not supervised here: it must not need it.
    """

    def __init__(
        self, name: str, args: list[str], env: dict[str, str], logdir: Path, supervised: bool
    ) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.log_path = logdir / f"{name}.log"
        self.supervised = supervised
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.exits: list[int] = []
        self.orphans: set[int] = set()
        self._stopping = False
        self._lock = threading.Lock()
        self._watch: threading.Thread | None = None

    def start(self) -> CeleryProcess:
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "workers.app", *self.args],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if self.supervised and self._watch is None:
            self._watch = threading.Thread(target=self._supervise, daemon=True)
            self._watch.start()
        return self

    def _supervise(self) -> None:
        while not self._stopping:
            proc = self.proc
            if proc is not None and proc.poll() is not None:
                self.exits.append(proc.returncode)
                time.sleep(1.0)
                with self._lock:
                    if self._stopping:
                        return
                    self.restarts += 1
                    self.start()
            time.sleep(0.2)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def children(self) -> list[int]:
        if self.proc is None:
            return []
        kids: list[int] = []
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
                with contextlib.suppress(OSError):
                    kids += [int(k) for k in (task / "children").read_text().split()]
        return kids

    def wait_ready(self, timeout: float = 120.0, since: int = 0) -> None:
        """Until the worker logs "ready." (after byte offset `since` of its log)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if b" ready." in self.log_path.read_bytes()[since:]:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start:\n{self.tail()}")

    def log_size(self) -> int:
        with contextlib.suppress(OSError):
            return self.log_path.stat().st_size
        return 0

    def kill_child(self) -> int | None:
        kids = self.children()
        if not kids:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.kill(kids[0], signal.SIGKILL)
        return kids[0]

    def kill_parent(self) -> int:
        assert self.proc is not None
        # Its pool processes are left as a lone kill -9 leaves them; cleaned up at the end.
        self.orphans.update(self.children())
        pid = self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        return pid

    def kill_group(self) -> int:
        assert self.proc is not None
        pid = self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
        proc = self.proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        for pid in self.orphans:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def tail(self, n: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-n:]
        return ""


def bridge_env(data_dir: Path, db_url: str, broker_url: str, secret: str) -> dict[str, str]:
    """The workers' environment: Bridge's defaults, only the addresses and the key given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIDGE_")}
    env.update(
        BRIDGE_DATA_DIR=str(data_dir),
        BRIDGE_DATABASE_URL=db_url,
        BRIDGE_BROKER_URL=broker_url,
        BRIDGE_SECRET_KEY=secret,
        PYTHONPATH=str(REPO),
    )
    return env


# -- the state database, read directly (it may be down) ------------------------------------


class StateReader:
    """Counts from the state database over psycopg2; None while it cannot be reached."""

    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]] | None:
        import psycopg2

        try:
            conn = psycopg2.connect(self.url, connect_timeout=3)
        except psycopg2.OperationalError:
            return None
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall())
        except psycopg2.Error:
            return None
        finally:
            conn.close()

    def waiting(self, entities: tuple[str, ...]) -> int | None:
        rows = self.query(
            "SELECT count(*) FROM sync_log WHERE state IN ('queued', 'running') "
            "AND entity = ANY(%s)",
            list(entities),
        )
        return None if rows is None else int(rows[0][0])

    def running(self, entities: tuple[str, ...]) -> int:
        rows = self.query(
            "SELECT count(*) FROM sync_log WHERE state = 'running' AND entity = ANY(%s)",
            list(entities),
        )
        return 0 if rows is None else int(rows[0][0])

    def unfinished(self) -> list[tuple[str, str, str]]:
        rows = self.query(
            "SELECT entity, state, coalesce(reason, '') FROM sync_log "
            "WHERE state IN ('queued', 'running') ORDER BY id"
        )
        return [(str(e), str(s), str(r)) for e, s, r in rows or []]

    def failed(self) -> list[tuple[str, str]]:
        rows = self.query(
            "SELECT entity, coalesce(reason, '') FROM sync_log WHERE state = 'failed' ORDER BY id"
        )
        return [(str(e), str(r)) for e, r in rows or []]

    def history(self, entities: tuple[str, ...], limit: int = 3) -> list[str]:
        """Every log of the first `limit` failed records (same entity and key), oldest
        first: what ran it before, and when, says how it came to fail."""
        rows = self.query(
            "SELECT l.entity, l.key, l.id, l.state, l.attempts, right(coalesce(l.task_id, ''), 6),"
            " l.created_at, l.started_at, l.finished_at, coalesce(l.reason, '')"
            " FROM sync_log l JOIN (SELECT DISTINCT entity, key FROM sync_log"
            "  WHERE state = 'failed' AND entity = ANY(%s) AND key IS NOT NULL"
            "  ORDER BY entity, key LIMIT %s) f ON f.entity = l.entity AND f.key = l.key"
            " ORDER BY l.entity, l.key, l.id",
            list(entities),
            limit,
        )
        lines = []
        for entity, key, log_id, state, attempts, task, created, started, finished, why in (
            rows or []
        ):
            line = f"{entity} {key} log {log_id}: {state}, {attempts} attempts, task ..{task}"
            line += f", created {created:%H:%M:%S}"
            line += f", started {started:%H:%M:%S}" if started else ", never started"
            line += f", finished {finished:%H:%M:%S}" if finished else ""
            lines.append(line + (f": {why[:140]}" if why else ""))
        return lines

    def by_state(self) -> dict[str, int]:
        rows = self.query("SELECT state, count(*) FROM sync_log GROUP BY state")
        return {str(s): int(n) for s, n in rows or []}


def reason_kind(reason: str) -> str:
    """A failure reason with its numbers and ids blanked, so alike reasons group."""
    text = re.sub(r"\d+(\.\d+)?", "N", reason)
    return text if len(text) <= 160 else text[:157] + "..."


# -- results -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    scenario: str
    orders: int
    figures: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    recovered_s: float | None = None
    events: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        lines = [f"== {self.scenario} ({self.orders} orders)"]
        width = max([len(k) for k, _ in self.figures] + [1])
        lines += [f"  {k:<{width}}  {v}" for k, v in self.figures]
        lines += [f"  event: {e}" for e in self.events]
        lines += [f"  FAILED: {p}" for p in self.problems]
        if self.ok:
            lines.append("  OK: exactly once, nothing stuck, nothing failed")
        return "\n".join(lines)


# -- the run -----------------------------------------------------------------------------------


def odoo_refs(odoo: Any) -> Counter[str]:
    return Counter(str(o.get("client_order_ref")) for o in odoo.records("sale.order"))


def magento_docs(magento: Any, kind: str) -> Counter[int]:
    return Counter(int(d["order_id"]) for d in magento.store.list(kind))


class Run:
    """One scenario: its own database, empty broker, sandboxes, workers and beat."""

    def __init__(self, args: argparse.Namespace, scenario: str, infra: Infra) -> None:
        self.args = args
        self.scenario = scenario
        self.flow = "fulfillment" if scenario.startswith("fulfillment-") else "orders"
        self.fault = scenario.split("-", 1)[1] if self.flow == "fulfillment" else scenario
        self.infra = infra
        self.n = args.orders
        self.outcome = Outcome(scenario, self.n)
        self.workers: dict[str, CeleryProcess] = {}
        self.beat: CeleryProcess | None = None
        self.fault_ended: float | None = None
        self.started = time.monotonic()

    def note(self, text: str) -> None:
        self.outcome.events.append(f"{time.monotonic() - self.started:6.1f}s {text}")
        if self.args.verbose:
            print(f"  [{self.scenario}] {self.outcome.events[-1]}", flush=True)

    # -- setting up ----------------------------------------------------------------------------

    def prepare(self) -> None:
        from bridge import db
        from bridge.settings import reload_settings

        self.infra.redis.flush()
        self.db_url = self.infra.pg.create_database()
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"{self.scenario}-", dir=self.infra.workdir))
        os.environ.update(
            BRIDGE_DATABASE_URL=self.db_url,
            BRIDGE_BROKER_URL=self.infra.redis.url,
            BRIDGE_DATA_DIR=str(self.data_dir),
        )
        reload_settings()
        db.reset_engines()
        db.upgrade(self.db_url)
        self.state = StateReader(self.db_url)
        self.env = bridge_env(
            self.data_dir, self.db_url, self.infra.redis.url, os.environ["BRIDGE_SECRET_KEY"]
        )
        self.env.update(dict(kv.split("=", 1) for kv in self.args.setting))

    def start_workers(self) -> None:
        scale = self.args.concurrency_scale
        for queues, concurrency in worker_groups():
            c = max(1, round(concurrency * scale))
            name = "worker-" + queues.split(",")[0]
            args = ["worker", "-Q", queues, "-c", str(c), "-l", "INFO", "--without-gossip",
                    "--without-mingle", "-n", f"{name}-{uuid.uuid4().hex[:4]}@%h"]  # fmt: skip
            self.workers[queues] = CeleryProcess(
                name, args, self.env, self.data_dir, supervised=True
            ).start()
        for w in self.workers.values():
            w.wait_ready()

    def due_now(self, job: str) -> None:
        """Make a connection schedule due at once (a new connection's first one waits an
        interval): beat sends it on its first tick."""
        from sqlalchemy import select

        from bridge import db
        from bridge.models import Schedule, utcnow

        with db.session_scope() as s:
            for sched in s.scalars(select(Schedule).where(Schedule.job == job)):
                sched.next_run_at = utcnow()

    def start_beat(self) -> None:
        args = ["beat", "-l", "INFO", "-s", str(self.data_dir / "beat-schedule"),
                "--pidfile", str(self.data_dir / "beat.pid")]  # fmt: skip
        if self.beat is not None:
            self.beat.stop()
        self.beat = CeleryProcess("beat", args, self.env, self.data_dir, supervised=False)
        self.beat.start()

    def set_faults(self, magento: Any, odoo: Any, flaky: bool) -> None:
        import requests

        for sandbox, ms, extra in (
            (magento, self.args.magento_latency_ms, FLAKY_MAGENTO),
            (odoo, self.args.odoo_latency_ms, FLAKY_ODOO),
        ):
            url = f"{sandbox.url}/__sandbox__/faults"
            body: dict[str, Any] = {"latency_ms": ms, "retry_after": 1,
                                    "timeout_s": BRIDGE_HTTP_TIMEOUT + 5}  # fmt: skip
            if flaky:
                body.update(extra)
            requests.post(url, json=body, timeout=10).raise_for_status()

    # -- progress ------------------------------------------------------------------------------

    def done_count(self, magento: Any, odoo: Any) -> int:
        """How far the flow is: orders in Odoo, or Magento shipments."""
        if self.flow == "orders":
            return sum(1 for ref in odoo_refs(odoo) if ref.startswith("3"))
        return len(magento.store.list("shipments"))

    def wait_for_work(self, magento: Any, odoo: Any, share: float, timeout: float = 120) -> None:
        """Until a task of the flow is running and `share` of the work is done (or timeout)."""
        entities = FLOW_ENTITIES[self.flow]
        start = time.monotonic()
        while time.monotonic() < start + timeout:
            # Past 20 s any running task will do: a small run may finish in a few pages.
            far = share if time.monotonic() < start + 20 else 0.0
            if self.done_count(magento, odoo) >= far * self.n and self.state.running(entities):
                return
            time.sleep(0.1)
        self.note(f"no running task seen at {share:.0%} within {timeout:.0f} s; faulting anyway")

    # -- the faults ----------------------------------------------------------------------------

    def inject(self, magento: Any, odoo: Any) -> None:
        entities = FLOW_ENTITIES[self.flow]
        if self.fault in ("flaky", "baseline"):
            self.fault_ended = time.monotonic()
            return
        self.wait_for_work(magento, odoo, 0.1)
        if self.fault == "kill":
            w = self.workers[group_of(self.flow)]
            running = self.state.running(entities)
            pid = w.kill_child()
            self.note(f"kill -9 pool process {pid} ({running} {self.flow} logs running)")
            time.sleep(3)
            running = self.state.running(entities)
            since = w.log_size()
            pid = w.kill_parent()
            self.note(f"kill -9 parent {pid} ({running} running)")
            w.wait_ready(since=since)
            self.note("worker restarted by the supervisor")
            self.wait_for_work(magento, odoo, 0.0, timeout=10)
            running = self.state.running(entities)
            since = w.log_size()
            pid = w.kill_group()
            self.note(f"kill -9 process group {pid} ({running} running)")
            self.fault_ended = time.monotonic()
            w.wait_ready(since=since)
            self.note("worker restarted by the supervisor")
        elif self.fault == "redis":
            self.infra.redis.kill()
            self.note("redis-server killed (-9)")
            time.sleep(5)
            self.infra.redis.start()
            self.fault_ended = time.monotonic()
            self.note("redis-server restarted, empty")
        elif self.fault == "postgres":
            self.infra.pg.stop("fast")
            self.note("PostgreSQL stopped")
            time.sleep(self.args.pg_outage)
            self.infra.pg.start()
            self.fault_ended = time.monotonic()
            self.note(f"PostgreSQL started again after {self.args.pg_outage:g} s")

    # -- waiting for the outcome ---------------------------------------------------------------

    def settle(self, check: Any, deadline_s: float, flow: str | None = None) -> bool:
        """Until `check()` holds and no log of the flow waits; False at the deadline."""
        entities = FLOW_ENTITIES[flow or self.flow]
        assert self.fault_ended is not None
        while time.monotonic() < self.fault_ended + deadline_s:
            if check() and self.state.waiting(entities) == 0:
                return True
            time.sleep(1.0)
        return False

    # -- the flows -----------------------------------------------------------------------------

    def run(self) -> Outcome:
        from sandbox.magento import MagentoSandbox
        from sandbox.odoo import OdooSandbox

        self.prepare()
        with MagentoSandbox() as magento, OdooSandbox(login_cost=self.args.odoo_login_cost) as odoo:
            try:
                self._shop(magento, odoo)
                self.start_workers()
                if self.flow == "orders":
                    self._orders(magento, odoo)
                else:
                    self._fulfillment(magento, odoo)
            finally:
                self._injected(magento, odoo)
                self._finish()
        return self.outcome

    def _shop(self, magento: Any, odoo: Any) -> None:
        from bench.orders import TEMPLATE, load_orders, prepare_shop

        t = time.monotonic()
        self.conn_id, template = prepare_shop(magento, odoo, TEMPLATE)
        load_orders(magento, template, self.n, "page")
        self.note(f"shop prepared, {self.n} orders in Magento ({time.monotonic() - t:.1f} s)")

    def _orders(self, magento: Any, odoo: Any) -> None:
        flaky = self.fault == "flaky"
        self.set_faults(magento, odoo, flaky)
        self.due_now("import_orders")
        self.started = time.monotonic()
        self.start_beat()
        self.note("beat started: import_orders is due, its pull starts the run")
        self.inject(magento, odoo)
        ok = self.settle(lambda: self.done_count(magento, odoo) >= self.n, self.args.deadline)
        self._recovered(ok)
        self._count_orders(odoo)

    def _fulfillment(self, magento: Any, odoo: Any) -> None:
        from sandbox.server import SandboxServer

        self.set_faults(magento, odoo, False)
        self.due_now("import_orders")
        self.started = time.monotonic()
        self.start_beat()
        self.fault_ended = time.monotonic()
        imported = self.settle(lambda: len(odoo_refs(odoo)) >= self.n, 900, flow="orders")
        if not imported:
            self.outcome.problems.append("the orders did not all reach Odoo before fulfillment")
            self._count_orders(odoo)
            return
        self.note("orders imported (no faults); beat stopped for the Odoo side's work")
        assert self.beat is not None
        self.beat.stop()
        # The Odoo side's work goes through a door without faults: it is not Bridge's.
        with SandboxServer(odoo.app) as door:
            client = self._odoo_client(door.url)
            t = time.monotonic()
            offline = self._deliver_and_invoice(client)
            self.note(f"Odoo: {self.n} deliveries validated, {len(offline)} offline invoices "
                      f"paid ({time.monotonic() - t:.1f} s)")  # fmt: skip
            self.set_faults(magento, odoo, self.fault == "flaky")
            self.due_now("sync_fulfillment")
            self.started = time.monotonic()
            self.start_beat()
            self.note("faults on, beat started: its sync_fulfillment polls every minute")
            self.inject(magento, odoo)

            def shipped_and_invoiced() -> bool:
                return len(magento_docs(magento, "shipments")) >= self.n and len(
                    magento_docs(magento, "invoices")
                ) >= len(offline)

            ok = self.settle(shipped_and_invoiced, self.args.deadline)
            self.note("shipments and invoices " + ("in Magento" if ok else "cut off"))
            if ok:
                t = time.monotonic()
                for invoice in offline:
                    self._credit_note(client, invoice)
                self.note(f"Odoo: {len(offline)} credit notes posted "
                          f"({time.monotonic() - t:.1f} s)")  # fmt: skip

                def refunded() -> bool:
                    return len(magento_docs(magento, "creditmemos")) >= len(offline)

                ok = self.settle(refunded, self.args.deadline + (time.monotonic() - t))
            self._recovered(ok)
            self._count_fulfillment(magento, len(offline))

    def _odoo_client(self, url: str) -> Any:
        from bridge.clients.odoo import OdooClient

        return OdooClient(url, "bridge", "admin", "admin")

    def _deliver_and_invoice(self, odoo: Any) -> list[int]:
        """Every delivery validated; the offline (odd) orders invoiced and paid."""
        from bridge.demo_fulfillment import deliver, invoice_and_pay

        offline_refs = []
        for i in range(self.n):
            ref = f"3{i:08d}"
            deliver(odoo, ref, tracking=f"1Z{i:08d}")
            if i % 2:
                invoice_and_pay(odoo, ref)
                offline_refs.append(ref)
        rows = odoo.search_read(
            "sale.order", [("client_order_ref", "in", offline_refs)], ["invoice_ids"]
        )
        return sorted(inv for r in rows for inv in r["invoice_ids"])

    def _credit_note(self, odoo: Any, invoice: int) -> None:
        journal = odoo.search("account.journal", [("code", "=", "INV")])[0]
        context = {"active_model": "account.move", "active_ids": [invoice]}
        wizard = odoo.create(
            "account.move.reversal", [{"reason": "returned", "journal_id": journal}],
            context=context,
        )  # fmt: skip
        odoo.call("account.move.reversal", "refund_moves", wizard)
        (note,) = odoo.search("account.move", [("reversed_entry_id", "=", invoice)])
        odoo.call("account.move", "action_post", [note])

    # -- counting ------------------------------------------------------------------------------

    def _recovered(self, ok: bool) -> None:
        assert self.fault_ended is not None
        took = time.monotonic() - self.fault_ended
        self.outcome.recovered_s = took if ok else None
        flaky = self.fault in ("flaky", "baseline")
        label = "settled" if flaky else "recovered"
        since = "the start" if flaky else "the fault ended"
        self.outcome.figures.append(
            (label, f"{took:.0f} s after {since}" if ok else
             f"NOT within {self.args.deadline:.0f} s after {since}")
        )  # fmt: skip
        if not ok:
            self.outcome.problems.append(
                f"not settled within {self.args.deadline:.0f} s after the fault ended"
            )

    def _count_orders(self, odoo: Any) -> None:
        refs = odoo_refs(odoo)
        want = [f"3{i:08d}" for i in range(self.n)]
        present = sum(1 for r in want if refs[r])
        dups = sum(refs[r] - 1 for r in want if refs[r] > 1)
        lost = self.n - present
        self.outcome.figures += [
            ("orders in Odoo", f"{present} of {self.n}"),
            ("duplicates", str(dups)),
            ("lost", str(lost)),
        ]
        if dups:
            self.outcome.problems.append(f"{dups} duplicate sale orders in Odoo")
        if lost:
            self.outcome.problems.append(f"{lost} orders never reached Odoo")

    def _count_fulfillment(self, magento: Any, offline: int) -> None:
        ids = [100_000 + i for i in range(self.n)]
        offline_ids = {100_000 + i for i in range(self.n) if i % 2}
        for kind, expected in (
            ("shipments", set(ids)),
            ("invoices", offline_ids),
            ("creditmemos", offline_ids),
        ):
            docs = magento_docs(magento, kind)
            dups = sum(docs[i] - 1 for i in ids if docs[i] > 1)
            missing = sum(1 for i in expected if not docs[i])
            extra = sum(1 for i in ids if docs[i] and i not in expected)
            self.outcome.figures.append(
                (kind, f"{sum(1 for i in expected if docs[i])} of {len(expected)} orders, "
                       f"{dups} duplicates, {missing} lost, {extra} unexpected")
            )  # fmt: skip
            if dups or missing or extra:
                self.outcome.problems.append(
                    f"Magento {kind}: {dups} duplicates, {missing} lost, {extra} unexpected"
                )

    def _injected(self, magento: Any, odoo: Any) -> None:
        self.outcome.figures.append(("settings", ", ".join(self.args.setting) or "defaults"))
        for name, sandbox in (("Magento", magento), ("Odoo", odoo)):
            snap = sandbox.faults.snapshot()
            faults = ", ".join(f"{k} {v}" for k, v in sorted(snap["injected"].items()))
            self.outcome.figures.append(
                (f"{name} requests", f"{snap['requests']}; faults: {faults or 'none'}")
            )

    def _finish(self) -> None:
        beat = self.beat
        if beat is not None:
            alive = beat.alive()
            sent = self.state.query(
                "SELECT max(created_at) FROM sync_log WHERE entity IN "
                "('fulfillment.poll', 'stock.poll', 'orders.pull')"
            )
            last = sent[0][0] if sent and sent[0][0] else None
            ago = ""
            if isinstance(last, datetime):
                now = datetime.now(UTC) if last.tzinfo else datetime.now(UTC).replace(tzinfo=None)
                ago = f", newest scheduled log {(now - last).total_seconds():.0f} s ago"
            self.outcome.figures.append(
                ("beat", ("running" if alive else f"EXITED ({beat.proc.returncode})") + ago)
            )  # fmt: skip
            if not alive:
                errors = [ln for ln in beat.tail(20000).splitlines() if "Error" in ln]
                self.outcome.problems.append(
                    f"beat exited ({beat.proc.returncode}): {errors[-1] if errors else '?'}"
                )
            beat.stop()
        # With beat stopped nothing new is queued. A backlog the workers are still working
        # through is given time; what stays queued or running without the count going down
        # for `--drain` seconds is stuck.
        started = last_change = time.monotonic()
        left = len(self.state.unfinished())
        while left and time.monotonic() < last_change + self.args.drain:
            time.sleep(2.0)
            now_left = len(self.state.unfinished())
            if now_left < left:
                last_change = time.monotonic()
            left = now_left
        if time.monotonic() - started > 5:
            self.outcome.figures.append(
                ("drained", f"{time.monotonic() - started:.0f} s after beat stopped")
            )
        stuck = self.state.unfinished()
        kinds = Counter(f"{e} {s}" for e, s, _ in stuck)
        self.outcome.figures.append(
            ("stuck logs", str(len(stuck)) + (f" ({dict(kinds)})" if kinds else ""))
        )
        for (e, s), n in Counter((e, s) for e, s, _ in stuck).items():
            reasons = Counter(reason_kind(r) for e2, s2, r in stuck if (e2, s2) == (e, s))
            top = "; ".join(f"{k or '(no reason)'} x{v}" for k, v in reasons.most_common(2))
            self.outcome.problems.append(f"{n} {e} logs stuck {s}: {top}")
        # Failures of this flow count against it; beat's other jobs (customers, products,
        # stock) run too and are shown apart: the seeded catalog fails some product
        # imports with or without faults (see docs/reliability.md).
        entities = FLOW_ENTITIES[self.flow]
        failed = self.state.failed()
        ours = [(e, r) for e, r in failed if e in entities]
        others = [(e, r) for e, r in failed if e not in entities]
        self.outcome.figures.append(("failed logs", f"{len(ours)} of this flow"))
        for reason, n in Counter(f"{e}: {reason_kind(r)}" for e, r in ours).most_common(8):
            self.outcome.figures.append(("", f"{n} x {reason}"))
        if ours:
            self.outcome.problems.append(f"{len(ours)} failed {self.flow} logs")
            for line in self.state.history(entities):
                self.outcome.figures.append(("  history", line))
        if others:
            kinds = Counter(e for e, _ in others)
            self.outcome.figures.append(("other failed logs", f"{dict(kinds)} (not this flow)"))
            reasons = Counter((e, reason_kind(r)) for e, r in others)
            for entity in kinds:  # the commonest two of each entity: a rare one is not hidden
                mine = [(r, n) for (e, r), n in reasons.most_common() if e == entity][:2]
                for reason, n in mine:
                    self.outcome.figures.append(("", f"{n} x {entity}: {reason}"))
        restarts = {w.name: w.restarts for w in self.workers.values() if w.restarts}
        if restarts:
            self.outcome.figures.append(("worker restarts", str(restarts)))
        self.outcome.figures.append(("logs by state", str(self.state.by_state())))
        for w in self.workers.values():
            w.stop()


class Infra:
    """Redis and PostgreSQL of the harness, shared by the scenarios of one run."""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="bridge-faults-"))
        if os.geteuid() == 0:
            os.chmod(self.workdir, 0o755)
        self.redis = RedisServer(self.workdir)
        self.pg = PostgresServer(self.workdir)

    def start(self) -> Infra:
        self.redis.start()
        self.pg.start()
        return self

    def stop(self) -> None:
        self.redis.kill()
        self.pg.stop("immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)


def run_scenario(args: argparse.Namespace, scenario: str, infra: Infra) -> Outcome:
    return Run(args, scenario, infra).run()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument(
        "--scenario", action="append", choices=SCENARIOS + BASELINES, dest="scenarios"
    )
    parser.add_argument("--deadline", type=float, default=600.0,
                        help="seconds after the fault ended before a run is cut off")  # fmt: skip
    parser.add_argument("--pg-outage", type=float, default=20.0, help="seconds PostgreSQL is down")
    parser.add_argument("--drain", type=float, default=120.0,
                        help="seconds with no log finishing (beat off): rest is stuck")  # fmt: skip
    parser.add_argument("--magento-latency-ms", type=float, default=50.0)
    parser.add_argument("--odoo-latency-ms", type=float, default=25.0)
    parser.add_argument("--odoo-login-cost", type=float, default=None,
                        help="seconds per Odoo password check (sandbox default: 0.9)")  # fmt: skip
    parser.add_argument("--concurrency-scale", type=float, default=1.0,
                        help="multiplies docker-compose's worker concurrency")  # fmt: skip
    parser.add_argument("--setting", action="append", default=[], metavar="BRIDGE_X=VALUE",
                        help="a setting other than the default for workers and beat")  # fmt: skip
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    for kv in args.setting:
        if not kv.startswith("BRIDGE_") or "=" not in kv:
            parser.error(f"--setting takes BRIDGE_NAME=VALUE, not {kv!r}")
    args.scenarios = args.scenarios or list(SCENARIOS)
    return args


def setup_environment() -> None:
    """Before Bridge is imported: a secret key for the credentials the run stores."""
    from cryptography.fernet import Fernet

    os.environ.setdefault("BRIDGE_SECRET_KEY", Fernet.generate_key().decode())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_environment()
    infra = Infra().start()
    outcomes = []
    try:
        for scenario in args.scenarios:
            t = time.monotonic()
            print(f"-- {scenario}: {args.orders} orders ...", flush=True)
            outcome = run_scenario(args, scenario, infra)
            outcome.figures.append(("wall time", f"{time.monotonic() - t:.0f} s"))
            outcomes.append(outcome)
            print(outcome.text(), flush=True)
    finally:
        infra.stop()
    print("\nsummary: " + ", ".join(f"{o.scenario} {'OK' if o.ok else 'FAILED'}"
                                    for o in outcomes))  # fmt: skip
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
