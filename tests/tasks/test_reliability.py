"""Nothing stuck, nothing lost: recovery through a real worker, Redis, PostgreSQL and sandboxes.

A pull retried mid-way resumes from its checkpoint; a page with a poisoned order imports
the others; the reaper re-sends a dead worker's page (exactly once in Odoo) and leaves a
live one alone; a task that cannot reach PostgreSQL is retried until it can; beat lives
through a Redis outage; a failed page is retried with its records, and a record retried
on its own leaves its old log `superseded`.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
import requests
from sqlalchemy import func, select, update

from bridge import db
from bridge.crypto import encrypt
from bridge.models import Connection, LogState, SyncLog
from bridge.settings import reload_settings
from bridge.sync import schedules
from sandbox.magento.seed import luma
from tasks import operations
from tasks.dispatch import CHECK_JOB, pull_job
from tasks.outbox import enqueue, wait_for
from tests.conftest import REPO, WorkerProcess, prepare_shop, register_connection
from tests.tcp_proxy import TcpProxy

TIMEOUT = 120


def refs(odoo_sandbox: Any) -> list[str]:
    return [o["client_order_ref"] for o in odoo_sandbox.records("sale.order")]


def logs_of(entity: str) -> list[SyncLog]:
    with db.session_scope() as session:
        return list(session.scalars(select(SyncLog).where(SyncLog.entity == entity)))


def get_log(log_id: int) -> SyncLog:
    with db.session_scope() as session:
        entry = session.get(SyncLog, log_id)
        assert entry is not None
        return entry


def eventually(check: Callable[[], bool], timeout: float = TIMEOUT, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what or check}"
        time.sleep(0.2)


def faults(sandbox: Any, **config: Any) -> None:
    url = f"{sandbox.url}/__sandbox__/faults"
    if config:
        requests.post(url, json=config, timeout=5).raise_for_status()
    else:
        requests.delete(url, timeout=5).raise_for_status()


def all_orders_finished() -> bool:
    return all(entry.state not in (LogState.QUEUED, LogState.RUNNING) for entry in logs_of("order"))


@pytest.fixture
def fast_reaper() -> Iterator[None]:
    """Heartbeats every 0.5 s, stale after 4 s: the reaper's rules, at a test's pace
    (set before the worker starts, so it runs with them too)."""
    values = {"BRIDGE_HEARTBEAT_SECONDS": "0.5", "BRIDGE_REAP_RUNNING_AFTER": "4",
              "BRIDGE_REAP_QUEUED_AFTER": "4"}  # fmt: skip
    os.environ.update(values)
    reload_settings()
    yield
    for name in values:
        os.environ.pop(name, None)
    reload_settings()


@pytest.mark.timeout(400)
def test_a_pull_retried_mid_way_resumes_from_its_checkpoint(
    worker: WorkerProcess, magento_sandbox: Any, odoo_sandbox: Any
) -> None:
    # 250 copies of one order: all share one `updated_at` second, the hard case for a
    # checkpoint (it must resume by entity id within the second).
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox, extra_orders=250)
    listed = requests.get(f"{magento_sandbox.url}/__sandbox__/records/orders", timeout=10)
    total = len(listed.json())
    faults(magento_sandbox, latency_ms=300, path_contains="V1/orders")
    pull_id = enqueue(pull_job("orders"), conn_id)

    def checkpointed() -> bool:
        point = (get_log(pull_id).payload or {}).get("checkpoint") or {}
        return len(point.get("page_logs") or []) >= 1

    eventually(checkpointed, what="the pull's first checkpoint")
    # From now on every order search fails: the pull is retried until it gives up.
    faults(magento_sandbox, rate_5xx=1.0, path_contains="V1/orders")
    eventually(lambda: get_log(pull_id).state is LogState.FAILED, what="the pull to give up")
    stopped = get_log(pull_id)
    point = stopped.payload["checkpoint"]
    assert stopped.attempts > 1 and "gave up" in (stopped.reason or "")
    assert 1 <= len(point["page_logs"]) < 3 and point["read"] < total
    with db.session_scope() as session:  # the cursor moved past what was recorded, no further
        from bridge.sync.pull import cursor_value

        assert cursor_value(session, conn_id, "orders") == point["newest"]

    faults(magento_sandbox)
    assert operations.retry_log(pull_id) == pull_id
    done = wait_for(pull_id, TIMEOUT)
    assert done is not None and done.state is LogState.DONE, worker.output()[-3000:]
    # Read once each: the retry went on after the checkpoint instead of starting over.
    assert done.result["read"] == total
    assert done.result["page_logs"][: len(point["page_logs"])] == point["page_logs"]
    assert sorted(p.id for p in logs_of("orders.page")) == sorted(done.result["page_logs"])
    keys = [entry.key for entry in logs_of("order")]
    assert len(keys) == len(set(keys)) == done.result["records"]


@pytest.mark.timeout(400)
def test_a_poisoned_order_fails_alone_and_the_rest_of_its_page_imports(
    worker: WorkerProcess, magento_sandbox: Any, odoo_sandbox: Any
) -> None:
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox, extra_orders=25)
    poison = copy.deepcopy(luma.order("000000014"))
    poison.update(increment_id="300000001", entity_id=9001, billing_address="not an address")
    requests.post(f"{magento_sandbox.url}/__sandbox__/records/orders", json=poison,
                  timeout=5).raise_for_status()  # fmt: skip
    pull = wait_for(enqueue(pull_job("orders"), conn_id), TIMEOUT)
    assert pull is not None and pull.state is LogState.DONE
    [page_id] = pull.result["page_logs"]
    eventually(all_orders_finished, what="every order log to finish")

    page = get_log(page_id)
    assert page.state is LogState.SUPERSEDED and "internal error" in page.reason
    by_key = {entry.key: entry for entry in logs_of("order")}
    bad = by_key.pop("300000001")
    assert bad.state is LogState.FAILED and "AttributeError" in bad.reason
    assert bad.payload["billing_address"] == "not an address"  # the raw payload is kept
    assert {str(entry.state) for entry in by_key.values()} == {"done"}
    made = refs(odoo_sandbox)
    assert len(made) == len(set(made)) == 25 + 8  # the copies and the seeded orders, once each
    pages = logs_of("orders.page")
    # The poisoned order ended on a page of its own, which failed and took only it along.
    alone = [p for p in pages if p.payload.get("order_logs") == [bad.id]]
    assert [p.state for p in alone] == [LogState.FAILED]
    assert {p.state for p in pages if p.id not in (page_id, alone[0].id)} <= {
        LogState.DONE, LogState.SUPERSEDED}  # fmt: skip


@pytest.mark.timeout(400)
def test_the_reaper_resends_a_dead_workers_page_once_and_leaves_a_live_one_alone(
    redis_url: str, pg_state_db: str, fast_reaper: None, magento_sandbox: Any, odoo_sandbox: Any
) -> None:
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox, extra_orders=30)
    faults(odoo_sandbox, latency_ms=300)  # a page now takes many seconds
    first = WorkerProcess().start()
    try:
        pull = wait_for(enqueue(pull_job("orders"), conn_id), TIMEOUT)
        assert pull is not None and pull.state is LogState.DONE
        [page_id] = pull.result["page_logs"]

        def beating() -> bool:
            page = get_log(page_id)
            return page.state is LogState.RUNNING and page.heartbeat_at > page.started_at

        eventually(beating, what="the page to run and beat")
        time.sleep(5)  # longer than the stale threshold: only the heartbeat keeps it alive
        live = operations.requeue_stuck()
        assert live == [], "a running page with a live heartbeat was taken for stuck"
        eventually(lambda: len(refs(odoo_sandbox)) > 0, what="orders in Odoo")
    finally:
        first.kill(signal.SIGKILL)  # its message stays unacknowledged in Redis
    assert get_log(page_id).state is LogState.RUNNING
    faults(odoo_sandbox)
    second = WorkerProcess().start()
    try:
        time.sleep(4.5)
        reaped = operations.requeue_stuck()
        assert [(o.log_id, o.new_log_id, o.error) for o in reaped] == [(page_id, page_id, None)]
        page = wait_for(page_id, TIMEOUT)
        assert page is not None and page.state is LogState.DONE, second.output()[-3000:]
        assert page.attempts == 2
    finally:
        second.kill(signal.SIGTERM)
    made = refs(odoo_sandbox)
    assert len(made) == len(set(made)) == 30 + 8
    assert {str(entry.state) for entry in logs_of("order")} == {"done"}


@pytest.mark.timeout(300)
def test_a_task_that_cannot_reach_the_state_database_is_retried_until_it_can(
    redis_url: str, pg_state_db: str, magento_sandbox: Any, odoo_sandbox: Any
) -> None:
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    proxy = TcpProxy("127.0.0.1", 5432).up()
    through_proxy = pg_state_db.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    saved = dict(os.environ)
    os.environ.update({"BRIDGE_DATABASE_URL": through_proxy, "BRIDGE_RETRY_MAX": "12"})
    worker = WorkerProcess().start()
    os.environ.clear()
    os.environ.update(saved)
    try:
        proxy.down()  # PostgreSQL is gone, for the worker only
        log_id = enqueue(CHECK_JOB, conn_id)
        eventually(lambda: "state database cannot be reached" in worker.output(), 60,
                   "the worker to meet the outage")  # fmt: skip
        time.sleep(2)
        assert get_log(log_id).state is LogState.QUEUED  # nothing recorded, nothing acked
        proxy.up()
        entry = wait_for(log_id, 90)
        assert entry is not None and entry.state is LogState.DONE, worker.output()[-3000:]
        assert "Retry in" in worker.output()
    finally:
        worker.kill(signal.SIGTERM)
        proxy.down()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_server(port: int, workdir: Any) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port)
    eventually(lambda: _pings(client), 10, "redis-server to start")
    return proc


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.mark.timeout(240)
def test_beat_lives_through_a_broker_outage_and_sends_again_after(
    pg_state_db: str, tmp_path: Any
) -> None:
    if not any(os.access(os.path.join(d, "redis-server"), os.X_OK)
               for d in os.environ.get("PATH", "").split(os.pathsep)):  # fmt: skip
        pytest.skip("redis-server is not installed")
    port = _free_port()
    broker = _redis_server(port, tmp_path)
    with db.session_scope() as session:
        schedules.set_schedule(session, "purge_logs", None, interval_seconds=10)
        schedules.set_schedule(session, "reap_logs", None, interval_seconds=3600)

    def sent() -> int:
        with db.session_scope() as session:
            return int(session.scalar(select(func.count(SyncLog.id)).where(
                SyncLog.entity == "maintenance.purge_logs")) or 0)  # fmt: skip

    log_path = tmp_path / "beat.log"
    env = {**os.environ, "BRIDGE_BROKER_URL": f"redis://127.0.0.1:{port}/0"}
    with open(log_path, "wb") as out:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.app", "beat", "-l", "INFO",
             "-s", str(tmp_path / "beat-schedule")],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        eventually(lambda: sent() >= 1, 60, "beat's first send")
        broker.send_signal(signal.SIGKILL)
        broker.wait(timeout=10)
        time.sleep(15)  # three ticks at least, and a due schedule, with no broker at all
        assert beat.poll() is None, log_path.read_text()[-3000:]
        before = sent()
        broker = _redis_server(port, tmp_path)  # back, empty: no persistence
        eventually(lambda: sent() > before, 60, "a send after the broker came back")
        assert redis.Redis(port=port).llen("maintenance") >= 1
        assert beat.poll() is None
    finally:
        beat.terminate()
        beat.wait(timeout=20)
        broker.send_signal(signal.SIGKILL)
        broker.wait(timeout=10)


def bridge_cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from bridge.cli import app; app()", *args],
        cwd=REPO, env={**os.environ, "COLUMNS": "200"}, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def _set_odoo_secret(conn_id: int, secret: str) -> None:
    with db.session_scope() as session:
        session.execute(
            update(Connection).where(Connection.id == conn_id)
            .values(odoo_secret_enc=encrypt(secret))
        )  # fmt: skip


@pytest.mark.timeout(400)
def test_a_failed_page_is_retried_with_its_records_and_a_retried_record_is_superseded(
    worker: WorkerProcess, magento_sandbox: Any, odoo_sandbox: Any
) -> None:
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox, extra_orders=3)
    _set_odoo_secret(conn_id, "wrong")
    pull = wait_for(enqueue(pull_job("orders"), conn_id), TIMEOUT)
    assert pull is not None and pull.state is LogState.DONE
    [page_id] = pull.result["page_logs"]
    page = wait_for(page_id, TIMEOUT)
    assert page is not None and page.state is LogState.FAILED  # a refused login: no split
    records = {entry.key: entry for entry in logs_of("order")}
    assert {str(e.state) for e in records.values()} == {"failed"}

    # Still refused: a retry that waits says so with its exit code.
    again = bridge_cli("logs", "retry", str(page_id), "--wait", "90")
    assert again.returncode == 1, again.stdout + again.stderr
    assert "failed" in again.stdout

    _set_odoo_secret(conn_id, "admin")
    # One record retried on its own: a new targeted pull, whose order log succeeds.
    one = records["000000014"]
    alone = bridge_cli("logs", "retry", str(one.id), "--wait", "90")
    assert alone.returncode == 0, alone.stdout + alone.stderr
    old = get_log(one.id)
    assert old.state is LogState.SUPERSEDED and "done by log" in old.reason
    newer = [e for e in logs_of("order") if e.key == "000000014" and e.id != one.id]
    assert [e.state for e in newer] == [LogState.DONE]
    assert old.result["superseded_by"] == newer[0].id

    # The page: its failed records run again (not "done, 0 imported").
    retried = bridge_cli("logs", "retry", str(page_id), "--wait", "120")
    assert retried.returncode == 0, retried.stdout + retried.stderr + worker.output()[-3000:]
    page = get_log(page_id)
    assert page.state is LogState.DONE and page.result["imported"] == len(records) - 2
    made = refs(odoo_sandbox)
    assert len(made) == len(set(made)) == 3 + 8
    states = {e.id: e.state for e in logs_of("order")}
    assert states[one.id] is LogState.SUPERSEDED
    assert {s for i, s in states.items() if i != one.id} == {LogState.DONE}


def test_an_interval_under_ten_seconds_is_refused(state_db: str) -> None:
    with db.session_scope() as session:
        for every in (0, -5, 9):
            with pytest.raises(ValueError, match="at least 10 seconds"):
                schedules.set_schedule(session, "import_orders", None, interval_seconds=every)
        assert schedules.set_schedule(session, "import_orders", None, interval_seconds=10)
    refused = bridge_cli("schedule", "set", "sync_stock", "--every", "0")
    assert refused.returncode == 1 and "at least 10 seconds" in refused.stderr
