"""Fulfillment tasks, on the `fulfillment` queue: poll Odoo's changes, send one to Magento.

The poll writes one log per change (key "<model>:<id>"), skipping a record whose log
is still waiting, and queues it; each run sends that one change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.db import session_scope
from bridge.models import Direction, LogState, SyncLog
from bridge.sync import logbook, pull
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.fulfillment import SYNCS, FulfillmentContext
from bridge.sync.locks import lock_keys
from bridge.sync.odoo_feed import FEEDS, Change, changes
from tasks import inventory
from tasks.base import run_log
from tasks.outbox import Job, enqueue, send_or_leave
from tasks.pulls import connection_of
from workers.app import app


def _poll(session: Session, entry: SyncLog) -> dict[str, Any]:
    conn = connection_of(session, entry)
    odoo = odoo_client(conn)
    order_ids = (entry.payload or {}).get("order_ids")
    queued: list[int] = []
    cursors: dict[str, str | None] = {}
    for feed in FEEDS:
        found, newest = changes(session, odoo, conn.id, feed, order_ids=order_ids)
        queued += [log_id for change in found if (log_id := _queue(conn.id, change))]
        cursors[feed.kind] = newest
    for kind, value in cursors.items():
        pull.save_cursor(session, conn.id, f"odoo.{kind}", value)
    return {"logs": queued}


def _queue(connection_id: int, change: Change) -> int | None:
    """One log per change, committed, then sent; None when this change has a log already.

    A change is a record at one `write_date`: a log still waiting, or one that ran for
    the same `write_date` (e.g. refused), is not repeated on every poll of the overlap.
    A waiting log whose message was lost is beat's reaper's to send again
    (`tasks/operations.py::requeue_stuck`), not a reason for a second log of the change.
    """
    key = f"{change.model}:{change.odoo_id}"
    with session_scope() as session:
        earlier = session.scalars(
            select(SyncLog).where(
                SyncLog.connection_id == connection_id,
                SyncLog.entity == f"fulfillment.{change.kind}",
                SyncLog.key == key,
            )
        ).all()
        for log in earlier:
            same = (log.payload or {}).get("write_date") == change.write_date
            if log.state in (LogState.QUEUED, LogState.RUNNING) or same:
                return None
        log_id = logbook.open_log(
            session,
            connection_id=connection_id,
            entity=f"fulfillment.{change.kind}",
            direction=Direction.ODOO_TO_MAGENTO,
            key=key,
            payload={"kind": change.kind, "odoo_id": change.odoo_id,
                     "sale_order_id": change.sale_order_id, "write_date": change.write_date},
        ).id  # fmt: skip
    send_or_leave(Job(run, f"fulfillment.{change.kind}", Direction.ODOO_TO_MAGENTO), log_id)
    return log_id


def _run(session: Session, entry: SyncLog) -> dict[str, Any]:
    conn = connection_of(session, entry)
    payload = entry.payload or {}
    # One run per Odoo record at a time: two runs of one change can overlap (a message
    # delivered twice, two polls racing past the check in `_queue`), and the second must
    # find the first's binding, not post to Magento again and be refused.
    lock_keys(session, f"fulfillment.{conn.id}", [f"{payload['kind']}:{payload['odoo_id']}"])
    ctx = FulfillmentContext(session, conn, magento_client(conn), odoo_client(conn))
    result = SYNCS[payload["kind"]](ctx, int(payload["odoo_id"]))
    if result.get("stock_skus"):
        # The shipment moved Magento's source: send Odoo's quantities of what it held. The
        # outcome is committed first (SQLite lets one writer at a time).
        session.commit()
        enqueue(inventory.push_job(skus=result["stock_skus"]), conn.id, leave_queued=True)
    return result


@app.task(bind=True, name="tasks.fulfillment.poll")
def poll(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _poll)


@app.task(bind=True, name="tasks.fulfillment.run")
def run(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _run)
