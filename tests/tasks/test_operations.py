"""The operator's log operations through a real worker, Redis and PostgreSQL: retry a
filtered set of failed logs, requeue stuck ones (a job log sent again as itself, a
record log left behind by its page run on its own), as `bridge logs` and the console do;
and a drift report with its repair through the same queues."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from bridge import db
from bridge.models import Direction, DriftItem, LogState, SyncLog, utcnow
from bridge.sync import logbook
from bridge.sync.log_filter import LogFilter
from tasks import operations
from tasks.dispatch import CHECK_JOB
from tasks.drift import drift_job
from tasks.outbox import enqueue, wait_for
from tests.conftest import prepare_shop, register_connection


def _log(conn_id: int, entity: str, state: LogState, key: str | None = None,
         age: timedelta = timedelta(0), payload: dict | None = None) -> int:  # fmt: skip
    with db.session_scope() as session:
        entry = logbook.open_log(session, connection_id=conn_id, entity=entity,
                                 direction=Direction.BOTH, key=key, payload=payload,
                                 state=state)  # fmt: skip
        if state is LogState.FAILED:
            entry.reason = "Magento at http://x/ is unreachable"
        log_id = entry.id
    if age:
        with db.session_scope() as session:
            session.execute(
                update(SyncLog).where(SyncLog.id == log_id).values(updated_at=utcnow() - age)
            )
    return log_id


def _state(log_id: int) -> SyncLog:
    entry = wait_for(log_id, 60)
    assert entry is not None, f"log {log_id} did not finish"
    return entry


def test_retry_a_filtered_set_of_failed_logs(worker: Any, magento_sandbox: Any,
                                             odoo_sandbox: Any) -> None:  # fmt: skip
    conn_id = register_connection(magento_sandbox, odoo_sandbox)
    other = register_connection(magento_sandbox, odoo_sandbox, name="other")
    failed = [_log(conn_id, CHECK_JOB.entity, LogState.FAILED) for _ in range(2)]
    untouched = _log(other, CHECK_JOB.entity, LogState.FAILED)
    outcomes = operations.retry_logs(LogFilter(connection_id=conn_id, entity=CHECK_JOB.entity))
    assert [(o.log_id, o.new_log_id, o.error) for o in outcomes] == [
        (failed[0], failed[0], None), (failed[1], failed[1], None)]  # fmt: skip
    for log_id in failed:
        assert _state(log_id).state is LogState.DONE
    with db.session_scope() as session:
        assert session.get(SyncLog, untouched).state is LogState.FAILED


def test_requeue_stuck_logs(worker: Any, magento_sandbox: Any, odoo_sandbox: Any) -> None:
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    # A job whose message was lost an hour ago, and one still fresh (a worker may have it).
    lost = _log(conn_id, CHECK_JOB.entity, LogState.QUEUED, age=timedelta(hours=1))
    fresh = _log(conn_id, CHECK_JOB.entity, LogState.QUEUED)
    # An order record log whose page died with its worker.
    orphan = _log(conn_id, "order", LogState.RUNNING, key="000000014", age=timedelta(hours=2))
    outcomes = {o.log_id: o for o in operations.requeue_stuck(timedelta(minutes=30))}
    assert set(outcomes) == {lost, orphan}
    assert outcomes[lost].new_log_id == lost
    assert _state(lost).state is LogState.DONE
    pull = outcomes[orphan].new_log_id
    assert pull is not None and pull != orphan
    assert _state(pull).state is LogState.DONE
    with db.session_scope() as session:
        old = session.get(SyncLog, orphan)
        assert old.state in (LogState.FAILED, LogState.SUPERSEDED)
        assert old.result["retried_in_log"] == pull
    for page_id in _state(pull).result["page_logs"]:
        _state(page_id)
    with db.session_scope() as session:
        old = session.get(SyncLog, orphan)
        # Once its own run imported the order, the stuck log says so instead of "failed".
        assert old.state is LogState.SUPERSEDED
        assert f"its record runs again in log {pull}" in old.reason
        assert session.get(SyncLog, fresh).state is LogState.QUEUED
    # The pull queued a page; the order is imported once, by that page.
    assert len(_wait_done_orders("000000014")) == 1


def _wait_done_orders(key: str, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        with db.session_scope() as session:
            done = list(session.scalars(select(SyncLog.id).where(
                SyncLog.entity == "order", SyncLog.key == key,
                SyncLog.state == LogState.DONE)))  # fmt: skip
        if done or time.monotonic() > deadline:
            return done
        time.sleep(0.3)


def test_drift_report_and_repair_through_the_queues(worker: Any, magento_sandbox: Any,
                                                    odoo_sandbox: Any) -> None:  # fmt: skip
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    report = _state(enqueue(drift_job(["orders"], days=3650), conn_id))
    assert report.state is LogState.DONE, report.reason
    with db.session_scope() as session:
        missing = {i.key for i in session.scalars(
            select(DriftItem).where(DriftItem.log_id == report.id,
                                    DriftItem.kind == "order_missing_odoo",
                                    DriftItem.repairable.is_(True)))}  # fmt: skip
    assert "000000014" in missing
    repairs = operations.repair_drift(report.id)
    assert [r.what for r in repairs] == ["order pull into Odoo"]
    assert _state(repairs[0].log_id).state is LogState.DONE
    assert _wait_done_orders("000000014")
    again = _state(enqueue(drift_job(["orders"], days=3650), conn_id))
    with db.session_scope() as session:
        left = {i.key for i in session.scalars(
            select(DriftItem).where(DriftItem.log_id == again.id,
                                    DriftItem.kind == "order_missing_odoo"))}  # fmt: skip
    assert "000000014" not in left
    assert operations.repair_drift(report.id) == []  # every item already has its repair
