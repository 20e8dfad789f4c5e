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


def record_logs(
    session: Session,
    connection_id: int,
    entity: str,
    keyed: list[tuple[str, dict[str, Any]]],
    direction: Direction = Direction.MAGENTO_TO_ODOO,
) -> list[int]:
    """One queued log per record (key, raw payload); a log not yet run takes the newer one."""
    keys = [key for key, _ in keyed]
    waiting = {
        log.key: log
        for log in session.scalars(
            select(SyncLog).where(
                SyncLog.connection_id == connection_id,
                SyncLog.entity == entity,
                SyncLog.key.in_(keys),
                SyncLog.state == LogState.QUEUED,
            )
        )
    }
    ids = []
    for key, payload in keyed:
        log = waiting.get(key)
        if log is not None:
            log.payload = payload
        else:
            log = open_log(
                session,
                connection_id=connection_id,
                entity=entity,
                direction=direction,
                key=key,
                payload=payload,
                state=LogState.QUEUED,
            )
            waiting[key] = log
        ids.append(log.id)
    return ids


def unfinished_logs(session: Session, log_ids: list[int]) -> list[SyncLog]:
    """A page's record logs still to do (a retried page skips what it finished)."""
    return list(
        session.scalars(
            select(SyncLog)
            .where(SyncLog.id.in_(log_ids), SyncLog.state.in_(UNFINISHED))
            .order_by(SyncLog.id)
        )
    )


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
