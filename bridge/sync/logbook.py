"""Writing SyncLogs: the outbox rows every unit of work leaves behind.

`open_log` coalesces: while a log for the same connection, entity, direction and
key is still `draft`, a new change updates its payload instead of adding a row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import Direction, LogState, SyncLog, utcnow

#: States a log can still leave; a finished log is never run again by redelivery.
UNFINISHED = (LogState.DRAFT, LogState.QUEUED, LogState.RUNNING)


def open_log(
    session: Session,
    *,
    connection_id: int | None,
    entity: str,
    direction: Direction,
    key: str | None = None,
    payload: dict[str, Any] | None = None,
    state: LogState = LogState.QUEUED,
) -> SyncLog:
    """Add a log; a draft for the same thing absorbs the new payload instead."""
    if state is LogState.DRAFT:
        draft = session.scalars(
            select(SyncLog).where(
                SyncLog.connection_id == connection_id,
                SyncLog.entity == entity,
                SyncLog.direction == direction,
                SyncLog.key == key,
                SyncLog.state == LogState.DRAFT,
            )
        ).first()
        if draft is not None:
            draft.payload = payload
            draft.updated_at = utcnow()
            return draft
    log = SyncLog(
        connection_id=connection_id,
        entity=entity,
        direction=direction,
        key=key,
        payload=payload,
        state=state,
    )
    session.add(log)
    session.flush()
    return log


def failed_record(
    session: Session,
    *,
    connection_id: int,
    entity: str,
    direction: Direction,
    key: str | None,
    payload: Any,
    reason: str,
) -> SyncLog:
    """Keep a record that could not be synced: raw payload and the reason, state failed."""
    now = utcnow()
    log = SyncLog(
        connection_id=connection_id,
        entity=entity,
        direction=direction,
        key=key,
        payload=payload if isinstance(payload, dict) else {"raw": payload},
        state=LogState.FAILED,
        reason=reason,
        attempts=1,
        started_at=now,
        finished_at=now,
    )
    session.add(log)
    return log


def mark_running(log: SyncLog, task_id: str | None) -> None:
    log.state = LogState.RUNNING
    log.attempts += 1
    log.task_id = task_id
    log.started_at = utcnow()


def mark_done(log: SyncLog, result: dict[str, Any] | None) -> None:
    log.state = LogState.DONE
    log.result = result
    log.reason = None
    log.finished_at = utcnow()


def mark_retrying(log: SyncLog, reason: str) -> None:
    log.state = LogState.QUEUED
    log.reason = reason


def mark_failed(log: SyncLog, reason: str) -> None:
    log.state = LogState.FAILED
    log.reason = reason
    log.finished_at = utcnow()
