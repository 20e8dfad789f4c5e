"""Which sync logs an operator means: one filter shared by `bridge logs` and the console.

The filter turns into one SQL statement, newest first, so a list, a bulk retry and a
count all see the same logs. `stuck` means unfinished (queued or running) with nothing
alive behind it: a running log whose task stopped refreshing its heartbeat, a queued
log whose message was due that long ago and no worker took it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from bridge.models import Connection, Direction, LogState, SyncLog, utcnow
from bridge.settings import get_settings

#: A queued or running log untouched this long is stuck: longer than a task may run
#: (BRIDGE_TASK_TIME_LIMIT, 600 s) and than the longest retry countdown (600 s).
STUCK_AFTER = timedelta(minutes=30)
STUCK_STATES = (LogState.QUEUED, LogState.RUNNING)


def heartbeat_every() -> timedelta:
    """How often a running task refreshes its log's heartbeat (`tasks/base.py`); 20 s."""
    return timedelta(seconds=get_settings().heartbeat_seconds)


def running_stale() -> timedelta:
    """A running log whose heartbeat is older than this has no live task; 2 minutes:
    six heartbeats missed, so a busy database or a paused worker is not taken for dead."""
    return timedelta(seconds=get_settings().reap_running_after)


def queued_stale() -> timedelta:
    """A queued log whose message was due this long ago and no worker took it; 5 minutes.

    Its message was lost (a killed worker's prefetched task, a broker restarted without
    persistence). One still waiting behind a long queue is sent twice at worst, which is
    a no-op (`run_log` claims a log once), so this can be short.
    """
    return timedelta(seconds=get_settings().reap_queued_after)


def stuck_clause(
    queued_for: timedelta | None = None,
    running_for: timedelta | None = None,
    now: datetime | None = None,
) -> ColumnElement[bool]:
    """Unfinished logs with nothing alive behind them (see the module's docstring)."""
    now = now or utcnow()
    queued_for = queued_for or queued_stale()
    running_for = running_for or running_stale()
    alive_at = func.coalesce(SyncLog.heartbeat_at, SyncLog.updated_at)
    return or_(
        and_(SyncLog.state == LogState.QUEUED, alive_at < now - queued_for),
        and_(SyncLog.state == LogState.RUNNING, alive_at < now - running_for),
    )


@dataclass(frozen=True)
class LogFilter:
    connection_id: int | None = None
    entity: str | None = None
    direction: Direction | None = None
    state: LogState | None = None
    key: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    #: Only queued/running logs with nothing alive behind them for longer than this.
    stuck_for: timedelta | None = None
    #: The same for running logs (heartbeat age), when it differs from `stuck_for`.
    running_stuck_for: timedelta | None = None
    #: Only logs with a smaller id (paging backwards through the list).
    before_id: int | None = None

    def statement(self) -> Select[tuple[SyncLog]]:
        query = select(SyncLog)
        if self.connection_id is not None:
            query = query.where(SyncLog.connection_id == self.connection_id)
        if self.entity:
            query = query.where(SyncLog.entity == self.entity)
        if self.direction:
            query = query.where(SyncLog.direction == self.direction)
        if self.state:
            query = query.where(SyncLog.state == self.state)
        if self.key:
            query = query.where(SyncLog.key == self.key)
        if self.since:
            query = query.where(SyncLog.created_at >= self.since)
        if self.until:
            query = query.where(SyncLog.created_at < self.until)
        if self.stuck_for is not None:
            query = query.where(
                stuck_clause(self.stuck_for, self.running_stuck_for or self.stuck_for)
            )
        if self.before_id:
            query = query.where(SyncLog.id < self.before_id)
        return query.order_by(SyncLog.id.desc())

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


def find_logs(session: Session, where: LogFilter, limit: int | None = None) -> list[SyncLog]:
    query = where.statement()
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def log_ids(session: Session, where: LogFilter, limit: int | None = None) -> list[int]:
    query = where.statement().with_only_columns(SyncLog.id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_logs(session: Session, where: LogFilter) -> int:
    sub = where.statement().order_by(None).subquery()
    return int(session.scalar(select(func.count()).select_from(sub)) or 0)


def entities(session: Session) -> list[str]:
    """Every entity a log was written for (for the console's filter)."""
    return list(session.scalars(select(SyncLog.entity).distinct().order_by(SyncLog.entity)))


def connection_names(session: Session) -> dict[int, str]:
    rows = session.execute(select(Connection.id, Connection.name).order_by(Connection.name))
    return {conn_id: name for conn_id, name in rows}
