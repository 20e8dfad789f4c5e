"""`bridge demo`: a full setup sync between the two sandboxes, with nothing installed.

It starts both sandboxes on free loopback ports, uses a SQLite file and, unless
BRIDGE_BROKER_URL names a broker, Celery's in-memory broker with a worker thread
in this process. With BRIDGE_BROKER_URL=redis://... it starts a separate worker
process on that broker instead. Every step goes through the real pipeline:
SyncLog -> queue -> worker -> use case -> Magento REST / Odoo RPC over HTTP.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.rule import Rule

from bridge import db, demo_events, demo_fulfillment, demo_orders, demo_products, first_run
from bridge.cli.common import console, err_console
from bridge.cli.render import outcome_table
from bridge.clients.magento import MagentoAuth
from bridge.models import Connection, LogState, MagentoAuthMethod, SyncLog
from bridge.settings import reload_settings
from bridge.sync.connections import NewConnection, add_connection, magento_client, odoo_client
from bridge.sync.setup import IMPORTS
from celeryconfig import QUEUES
from tasks.dispatch import CHECK_JOB, setup_import_job
from tasks.outbox import Job, enqueue, wait_for

DEMO_QUEUES = QUEUES
JOB_TIMEOUT = 120.0


def _prepare_environment() -> tuple[str, bool]:
    """Point settings at a fresh data dir; returns (broker URL, whether it is embedded)."""
    data_dir = Path(tempfile.mkdtemp(prefix="bridge-demo-"))
    os.environ["BRIDGE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("BRIDGE_DATABASE_URL", f"sqlite:///{data_dir / 'demo.sqlite3'}")
    external = os.environ.get("BRIDGE_BROKER_URL", "")
    broker = external or "memory://"
    os.environ["BRIDGE_BROKER_URL"] = broker
    reload_settings()
    db.reset_engines()
    return broker, not external or broker.startswith("memory")


@contextmanager
def _worker(broker: str, embedded: bool) -> Iterator[None]:
    from workers.app import app

    app.conf.broker_url = broker
    if embedded:
        from workers.embedded import embedded_worker

        # The memory transport polls; poll often so the demo does not wait on it.
        app.conf.broker_transport_options = {"polling_interval": 0.05}
        with embedded_worker(app, DEMO_QUEUES):
            yield
        return
    cmd = [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-P", "solo"]
    cmd += ["-Q", ",".join(DEMO_QUEUES), "-l", "WARNING", "--without-gossip", "--without-mingle"]
    proc = subprocess.Popen(cmd, env=os.environ.copy())
    try:
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_demo(serve: bool = False, host: str = "127.0.0.1", port: int = 8000) -> int:
    """The demo; with `serve`, then the console on host:port until Ctrl-C (`demo_serve`)."""
    from sandbox.magento import ADMIN_PASSWORD, ADMIN_USERNAME, MagentoSandbox
    from sandbox.odoo import OdooSandbox

    broker, embedded = _prepare_environment()
    magento = MagentoSandbox(port=0).start()
    odoo = OdooSandbox(port=0).start()
    try:
        console.print(Rule("Bridge demo"))
        console.print(f"Magento sandbox  {magento.url}")
        console.print(f"Odoo sandbox     {odoo.url} (database {odoo.settings.db})")
        where = "embedded broker, worker thread" if embedded else f"{broker}, worker process"
        console.print(f"Pipeline         {where}; state in {os.environ['BRIDGE_DATABASE_URL']}")
        first_run.prepare()
        with db.session_scope() as session:
            conn = add_connection(
                session,
                NewConnection(
                    name="demo",
                    magento_url=magento.url,
                    magento=MagentoAuth(
                        MagentoAuthMethod.ADMIN, username=ADMIN_USERNAME, password=ADMIN_PASSWORD
                    ),
                    odoo_url=odoo.url,
                    odoo_db=odoo.settings.db,
                    odoo_login=odoo.settings.login,
                    odoo_secret=odoo.settings.password,
                ),
            )
            conn_id = conn.id
        console.print("Connection       'demo' registered (credentials encrypted at rest)")
        with _worker(broker, embedded):
            code = _run_steps(conn_id, magento, odoo)
            if serve and code == 0:
                from bridge import demo_serve

                return demo_serve.serve(conn_id, magento.url, _run, host, port)
            return code
    finally:
        magento.stop()
        odoo.stop()


def _run_steps(conn_id: int, magento_sandbox: Any, odoo_sandbox: Any) -> int:
    console.print(Rule("connection test"))
    entry = _run(CHECK_JOB, conn_id)
    if entry is None:
        return 1
    mag, odoo = (entry.result or {}).get("magento", {}), (entry.result or {}).get("odoo", {})
    console.print(f"[green]✓[/green] Magento {mag.get('url')}: {mag.get('auth')} auth accepted")
    console.print(
        f"[green]✓[/green] Odoo {odoo.get('server_version')} at {odoo.get('url')}: database "
        f"{odoo.get('db')}, login {odoo.get('login')} (uid {odoo.get('uid')}, "
        f"{odoo.get('protocol')}), required modules installed"
    )
    for kind in IMPORTS:
        console.print(Rule(f"import {kind}"))
        entry = _run(setup_import_job(kind), conn_id)
        if entry is None:
            return 1
        for outcome in (entry.result or {}).get("imports", []):
            console.print(outcome_table(outcome))
            if outcome["failed"]:
                err_console.print(f"[red]✗[/red] {kind}: {outcome['failed']} record(s) failed")
                return 1
    console.print(Rule("second run of every import: nothing may change"))
    changed = 0
    for kind in IMPORTS:
        entry = _run(setup_import_job(kind), conn_id)
        if entry is None:
            return 1
        for o in (entry.result or {}).get("imports", []):
            changed += o["created"] + o["updated"] + o["archived"]
            console.print(
                f"{o['entity']:>16}: {o['created']} created, {o['updated']} updated, "
                f"{o['unchanged']} unchanged"
            )
    if changed:
        err_console.print(f"[red]✗[/red] the second run changed {changed} record(s)")
        return 1
    with db.session_scope() as session:
        conn = session.get(Connection, conn_id)
        magento, odoo = magento_client(conn), odoo_client(conn)
    console.print(Rule("products and stock, both ways"))
    if not demo_products.run(conn_id, odoo, magento, _run, lambda on: _auto_apply(conn_id, on)):
        return 1
    console.print(Rule("customers and orders"))
    demo_orders.prepare(magento, odoo)
    if not demo_orders.run(conn_id, odoo, _run):
        return 1
    console.print(Rule("back to Magento: shipments, invoices, cancellations"))
    if not demo_fulfillment.run(conn_id, odoo, magento, _run):
        return 1
    console.print(Rule("an order placed in Magento, through an event"))
    if not demo_events.run(conn.name, magento_sandbox.url, odoo):
        return 1
    console.print(Rule())
    console.print("[green]Demo finished:[/green] every step ran through the queue and a worker.")
    return 0


def _auto_apply(conn_id: int, on: bool) -> None:
    """The merchant's "apply inventory counts at once" setting."""
    with db.session_scope() as session:
        conn = session.get(Connection, conn_id)
        assert conn is not None
        conn.inventory_auto_apply = on


def _run(
    job: Job | None, conn_id: int, log_id: int | None = None, allow_failed: bool = False
) -> SyncLog | None:
    """Enqueue `job` (or follow the queued log `log_id`) and wait until a worker finished it."""
    if log_id is None:
        assert job is not None
        log_id = enqueue(job, conn_id)
    entry = wait_for(log_id, JOB_TIMEOUT)
    what = job.entity if job else f"log {log_id}"
    if entry is None:
        err_console.print(f"[red]✗[/red] {what}: no worker finished it in {JOB_TIMEOUT:.0f}s")
        return None
    if entry.state is LogState.FAILED and not allow_failed:
        err_console.print(f"[red]✗[/red] {what} failed: {entry.reason}")
        return None
    return entry
