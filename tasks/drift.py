"""The drift report task, on the `maintenance` queue: reads both sides, writes DriftItems.

The log's payload names what to compare (`{"entities": [...], "days": N}`); its result
holds the counts and the remote calls spent; the differences are `DriftItem` rows
pointing to the log (`bridge drift`, the console's Drift page).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bridge.models import Direction, SyncLog, utcnow
from bridge.sync import drift
from bridge.sync.connections import magento_client, odoo_client
from tasks.base import run_log
from tasks.outbox import Job
from tasks.pulls import connection_of
from workers.app import app


def _report(session: Session, entry: SyncLog) -> dict[str, Any]:
    conn = connection_of(session, entry)
    options = entry.payload or {}
    entities = [e for e in options.get("entities") or drift.ENTITIES if e in drift.ENTITIES]
    days = int(options.get("days") or drift.ORDER_DAYS)
    ctx = drift.DriftContext(
        session,
        conn,
        magento_client(conn),
        odoo_client(conn),
        entry.id,
        since=utcnow() - timedelta(days=days),
    )
    return drift.run_report(ctx, entities)


@app.task(bind=True, name="tasks.maintenance.drift")
def report(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _report)


def drift_job(entities: list[str] | None = None, days: int = drift.ORDER_DAYS) -> Job:
    """Compare these entities (all without) of one connection; orders of the last `days`."""
    payload = {"entities": list(entities or drift.ENTITIES), "days": days}
    return Job(report, drift.ENTITY, Direction.BOTH, payload)


ENTITY = drift.ENTITY
