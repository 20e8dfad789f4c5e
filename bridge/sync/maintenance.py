"""Log retention: finished SyncLogs older than each connection's retention are deleted.

Drafts, queued and running logs are never purged: they are work still to do.
Logs of no connection (global jobs) are kept for the longest retention choice, 60 days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bridge.models import RETENTION_CHOICES, Connection, LogState, SyncLog, utcnow

FINISHED = (LogState.DONE, LogState.FAILED, LogState.SUPERSEDED)


def purge_logs(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Delete finished logs past retention; returns how many per connection name."""
    now = now or utcnow()
    purged: dict[str, int] = {}
    for conn in session.scalars(select(Connection)):
        if conn.log_retention_days is None:
            continue
        cutoff = now - timedelta(days=conn.log_retention_days)
        purged[conn.name] = _purge(session, SyncLog.connection_id == conn.id, cutoff)
    cutoff = now - timedelta(days=max(RETENTION_CHOICES))
    purged["(no connection)"] = _purge(session, SyncLog.connection_id.is_(None), cutoff)
    return purged


def _purge(session: Session, scope: object, cutoff: datetime) -> int:
    result = session.execute(
        delete(SyncLog)
        .where(scope, SyncLog.state.in_(FINISHED), SyncLog.updated_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
