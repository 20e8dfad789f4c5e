"""Shared test setup: real PostgreSQL and Redis on 127.0.0.1, real sandboxes over HTTP.

The environment is fixed here, before any Bridge module reads its settings:
a throwaway data dir, a test secret key, Redis database 15 as the broker, and short
retry backoffs (task-level and per request) so retry tests take seconds. The Odoo
sandbox's password checks cost nothing unless BRIDGE_SANDBOX_ODOO_LOGIN_COST says
otherwise (a real Odoo 18 spends ~0.9 s hashing each; the tests about that cost set it on
their own sandbox).
Tests that need PostgreSQL or Redis skip with the reason when those are down, except
under CI=true, where a missing service is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

_DATA_DIR = Path(tempfile.mkdtemp(prefix="bridge-tests-"))
REDIS_URL = os.environ.get("BRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PG_ADMIN_URL = os.environ.get("BRIDGE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
os.environ.update(
    {
        "BRIDGE_DATA_DIR": str(_DATA_DIR),
        "BRIDGE_SECRET_KEY": Fernet.generate_key().decode(),
        "BRIDGE_BROKER_URL": REDIS_URL,
        "BRIDGE_RETRY_BACKOFF_BASE": "0.2",
        "BRIDGE_RETRY_BACKOFF_MAX": "2",
        "BRIDGE_RETRY_MAX": "4",
        "BRIDGE_HTTP_TIMEOUT": "5",
        "BRIDGE_HTTP_RETRY_BACKOFF": "0.05",
        "BRIDGE_HTTP_RETRY_BACKOFF_MAX": "0.2",
    }
)
os.environ.pop("BRIDGE_DATABASE_URL", None)
os.environ.setdefault("BRIDGE_SANDBOX_ODOO_LOGIN_COST", "0")

from bridge import db  # noqa: E402
from bridge.settings import reload_settings  # noqa: E402
from celeryconfig import QUEUES  # noqa: E402
from tests import evidence  # noqa: E402
from tests.odoo_fixtures import real_target  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: The sandbox-vs-real comparison exists only where a real Odoo is named (BRIDGE_TEST_ODOO_*).
collect_ignore = [] if real_target() else ["sandbox/test_odoo_vs_real.py"]


def pytest_runtest_setup(item: pytest.Item) -> None:
    evidence.check(item)


@pytest.fixture(autouse=True)
def _fresh_logins() -> None:
    """Each test starts as a new worker process would: no Odoo login or Magento token kept
    (sandboxes are per test or reset, so a kept one would point at a forgotten session)."""
    from bridge.clients import logins

    for cache in (logins.ODOO_UIDS, logins.ODOO_VERSIONS, logins.MAGENTO_TOKENS):
        cache.clear()


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, port: int) -> None:
    if _reachable("127.0.0.1", port):
        return
    message = f"{name} is not reachable on 127.0.0.1:{port}"
    if IN_CI:
        pytest.fail(f"{message}, and CI=true requires it (.ci/run starts it)")
    pytest.skip(f"{message}; start it to run this test")


@pytest.fixture
def redis_url() -> str:
    import redis

    require_service("Redis", 6379)
    redis.Redis.from_url(REDIS_URL).flushdb()
    return REDIS_URL


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg2

    require_service("PostgreSQL", 5432)
    name = f"bridge_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        db.reset_engines()
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bridge.sqlite3'}"


def use_database(url: str) -> None:
    """Point Bridge at `url` and migrate it."""
    os.environ["BRIDGE_DATABASE_URL"] = url
    reload_settings()
    db.reset_engines()
    db.upgrade(url)


@pytest.fixture
def state_db(sqlite_url: str) -> Iterator[str]:
    """A migrated SQLite state database (for tests that need no worker)."""
    use_database(sqlite_url)
    yield sqlite_url
    os.environ.pop("BRIDGE_DATABASE_URL", None)
    reload_settings()
    db.reset_engines()


@pytest.fixture
def pg_state_db(pg_url: str) -> Iterator[str]:
    """A migrated PostgreSQL state database, shared with worker processes through the env."""
    use_database(pg_url)
    yield pg_url
    os.environ.pop("BRIDGE_DATABASE_URL", None)
    reload_settings()
    db.reset_engines()


class WorkerProcess:
    """A real `celery worker` process on the test broker and database."""

    def __init__(self, queues: str = ",".join(QUEUES)) -> None:
        self.log_path = _DATA_DIR / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.queues = queues
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        cmd = [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-P", "solo"]
        cmd += ["-Q", self.queues, "-l", "INFO", "--without-gossip", "--without-mingle"]
        cmd += ["-n", f"test-{uuid.uuid4().hex[:6]}@%h"]
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=REPO, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if b"ready." in self.log_path.read_bytes():
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"worker did not start:\n{self.log_path.read_text()[-3000:]}")

    def kill(self, sig: int = 9) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def worker(redis_url: str, pg_state_db: str) -> Iterator[WorkerProcess]:
    """A real Celery worker consuming the real Redis, writing the real PostgreSQL."""
    proc = WorkerProcess().start()
    try:
        yield proc
    finally:
        proc.kill(15)


@pytest.fixture
def magento_sandbox() -> Iterator[object]:
    from sandbox.magento import MagentoSandbox

    with MagentoSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def odoo_sandbox() -> Iterator[object]:
    from sandbox.odoo import OdooSandbox

    with OdooSandbox() as sandbox:
        yield sandbox


def register_connection(magento: object, odoo: object, name: str = "shop", **over: object) -> int:
    """Register a connection to the two sandboxes in the current state database."""
    from bridge.clients.magento import MagentoAuth
    from bridge.models import MagentoAuthMethod
    from bridge.sync.connections import NewConnection, add_connection
    from sandbox.magento import ADMIN_PASSWORD, ADMIN_USERNAME

    new = NewConnection(
        name=name,
        magento_url=magento.url,  # type: ignore[attr-defined]
        magento=MagentoAuth(
            MagentoAuthMethod.ADMIN, username=ADMIN_USERNAME, password=ADMIN_PASSWORD
        ),
        odoo_url=odoo.url,  # type: ignore[attr-defined]
        odoo_db=str(over.pop("odoo_db", "bridge")),
        odoo_login="admin",
        odoo_secret=str(over.pop("odoo_secret", "admin")),
        settings=dict(over),
    )
    with db.session_scope() as session:
        return add_connection(session, new).id


def prepare_shop(
    magento_sandbox: Any, odoo_sandbox: Any, extra_orders: int = 0, **connection: object
) -> int:
    """A connection whose Odoo has what a merchant sets up once: the setup mappings, then
    `bridge.demo_orders.merchant_setup` (the 8.25 % tax, the products, a EUR pricelist);
    plus `extra_orders` copies of seeded order 000000014 in Magento. `connection`: the
    connection's settings (`odoo_db`, `odoo_secret` for an Odoo other than the sandbox)."""
    import copy

    import requests

    from bridge.clients.magento_search import SearchCriteria
    from bridge.demo_orders import merchant_setup
    from bridge.mappers import order as om
    from bridge.models import Connection
    from bridge.sync.connections import magento_client, odoo_client
    from bridge.sync.setup import IMPORTS, SetupContext

    conn_id = register_connection(magento_sandbox, odoo_sandbox, **connection)
    with db.session_scope() as s:
        conn = s.get(Connection, conn_id)
        for run in IMPORTS.values():
            run(SetupContext(s, conn, magento_client(conn), odoo_client(conn)))
        odoo, magento = odoo_client(conn), magento_client(conn)
    merchant_setup(magento, odoo)
    criteria = SearchCriteria().where("increment_id", "000000014")
    template = next(iter(magento.iter_records("orders", criteria, fields=om.ORDER_FIELDS)))
    for n in range(extra_orders):
        o = copy.deepcopy(template)
        o.update(increment_id=f"2{n:08d}", entity_id=5000 + n, customer_email=f"k{n}@example.com")
        requests.post(f"{magento_sandbox.url}/__sandbox__/records/orders", json=o,
                      timeout=5).raise_for_status()  # fmt: skip
    return conn_id
