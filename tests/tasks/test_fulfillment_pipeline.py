"""Fulfillment through real Celery workers: two runs of one change at the same time, and a
change whose message was lost.

Two logs for the same Odoo delivery (a message delivered twice, two polls racing past the
check for a waiting log) run on two workers at once, against a Magento slow enough
that their calls overlap. One makes the shipment; the other waits for it (a lock per Odoo
record, `tasks/fulfillment.py`) and finds its binding, instead of posting again and being
refused by Magento ("The order does not allow a shipment to be created").

A change whose log waits with its message lost (a broker restarted empty) gets no second log
from the poll: beat's reaper sends that log again, and it makes the shipment once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select, update

from bridge import db
from bridge.models import Direction, LogState, SyncLog, utcnow
from bridge.sync import logbook
from bridge.sync.odoo_feed import FEEDS, changes
from tasks.fulfillment import _queue, run
from tasks.operations import requeue_stuck
from tasks.outbox import Job, send, wait_for
from tests.conftest import WorkerProcess, prepare_shop
from tests.sync.test_fulfillment import OFFLINE, clients, deliver, import_all, magento_state

TIMEOUT = 120


def shipment_log(conn_id: int, picking: int, write_date: str) -> int:
    """A queued log of the delivery's shipment, as the poll writes it (`_queue`)."""
    payload = {"kind": "shipment", "odoo_id": picking, "sale_order_id": None,
               "write_date": write_date}  # fmt: skip
    with db.session_scope() as session:
        return logbook.open_log(
            session, connection_id=conn_id, entity="fulfillment.shipment",
            direction=Direction.ODOO_TO_MAGENTO, key=f"stock.picking:{picking}", payload=payload,
        ).id  # fmt: skip


@pytest.fixture
def two_workers(redis_url: str, pg_state_db: str) -> Iterator[None]:
    """Two solo workers on the fulfillment queue: two runs at a time."""
    workers = [WorkerProcess("fulfillment").start() for _ in range(2)]
    try:
        yield
    finally:
        for w in workers:
            w.kill(15)


def test_two_runs_of_one_delivery_at_once_make_one_shipment_and_both_end_done(
    two_workers: None, magento_sandbox: Any, odoo_sandbox: Any
) -> None:
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    import_all(conn_id)
    magento, odoo = clients(conn_id)
    picking = deliver(odoo, OFFLINE)
    # Every Magento request takes 0.4 s: a run's look, order read and POST overlap the other's.
    url = f"{magento_sandbox.url}/__sandbox__/faults"
    requests.post(url, json={"latency_ms": 400}, timeout=5).raise_for_status()
    ids = [shipment_log(conn_id, picking, "x") for _ in range(2)]
    job = Job(run, "fulfillment.shipment", Direction.ODOO_TO_MAGENTO)
    for log_id in ids:
        send(job, log_id)
    finished = [wait_for(log_id, TIMEOUT) for log_id in ids]
    requests.delete(url, timeout=5)
    assert all(f is not None for f in finished), "a run did not finish"
    assert [f.state for f in finished] == [LogState.DONE, LogState.DONE], [
        (f.state, f.reason) for f in finished
    ]
    [shipment] = magento_state(magento, 11)["shipments"]
    summaries = sorted(f.result["summary"] for f in finished)
    assert summaries == [
        f"Magento shipment {shipment['entity_id']}",
        f"already Magento shipment {shipment['entity_id']}",
    ]
    # Both ran at once: the second started before the first finished.
    first, second = sorted(finished, key=lambda f: f.started_at)
    assert second.started_at < first.finished_at


def test_a_waiting_log_whose_message_was_lost_is_sent_again_by_the_reaper_not_replaced(
    worker: WorkerProcess, magento_sandbox: Any, odoo_sandbox: Any
) -> None:
    conn_id = prepare_shop(magento_sandbox, odoo_sandbox)
    import_all(conn_id)
    magento, odoo = clients(conn_id)
    picking = deliver(odoo, OFFLINE)
    feed = next(f for f in FEEDS if f.kind == "shipment")
    with db.session_scope() as session:
        [change] = [c for c in changes(session, odoo, conn_id, feed)[0] if c.odoo_id == picking]
    # The poll's log, queued with its message lost ten minutes ago: nothing will run it.
    lost = shipment_log(conn_id, picking, change.write_date)
    with db.session_scope() as session:
        ago = utcnow() - timedelta(minutes=10)
        session.execute(update(SyncLog).where(SyncLog.id == lost).values(updated_at=ago))

    assert _queue(conn_id, change) is None, "a second log for a change that has one waiting"
    with db.session_scope() as session:
        keyed = session.scalars(
            select(SyncLog.id).where(SyncLog.key == f"stock.picking:{picking}")
        ).all()
    assert keyed == [lost]

    outcomes = requeue_stuck()
    assert [(o.log_id, o.new_log_id, o.error) for o in outcomes] == [(lost, lost, None)]
    finished = wait_for(lost, TIMEOUT)
    assert finished is not None and finished.state == LogState.DONE, finished and finished.reason
    [shipment] = magento_state(magento, 11)["shipments"]
    assert finished.result["summary"] == f"Magento shipment {shipment['entity_id']}"
