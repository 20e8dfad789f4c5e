"""Writing SyncLogs: the outbox rows every unit of work leaves behind.

`open_log` coalesces: while a log for the same connection, entity, direction and
key is still `draft`, a new change updates its payload instead of adding a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
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
    log.started_at = log.heartbeat_at = utcnow()


def claim(session: Session, log_id: int, task_id: str | None, stale_before: datetime) -> bool:
    """Take the log for this task: `running`, attempts + 1, a fresh heartbeat.

    One guarded UPDATE, so two deliveries of the same log (a redelivered message, the
    reaper's copy) never both run it: a waiting log is taken; a running one only by the
    same task (its retry, or its message given back when its worker died) or when its
    heartbeat is older than `stale_before` (the task that had it died). False: not taken.
    """
    now = utcnow()
    taken = session.execute(
        update(SyncLog)
        .where(
            SyncLog.id == log_id,
            or_(
                SyncLog.state.in_((LogState.DRAFT, LogState.QUEUED)),
                (SyncLog.state == LogState.RUNNING)
                & or_(
                    SyncLog.task_id == task_id,
                    func.coalesce(SyncLog.heartbeat_at, SyncLog.updated_at) < stale_before,
                ),
            ),
        )
        .values(
            state=LogState.RUNNING,
            attempts=SyncLog.attempts + 1,
            task_id=task_id,
            started_at=now,
            heartbeat_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount)


def beat(session: Session, log_id: int, task_id: str | None) -> bool:
    """Refresh the heartbeat of a log this task still runs; False once it is not ours."""
    alive = session.execute(
        update(SyncLog)
        .where(SyncLog.id == log_id, SyncLog.state == LogState.RUNNING, SyncLog.task_id == task_id)
        .values(heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(alive.rowcount)


def mark_done(log: SyncLog, result: dict[str, Any] | None) -> None:
    log.state = LogState.DONE
    log.result = result
    log.reason = None
    log.finished_at = utcnow()


def mark_retrying(log: SyncLog, reason: str, countdown: float = 0.0) -> None:
    """Back to `queued`; its message is due after `countdown` s (the reaper waits for it)."""
    log.state = LogState.QUEUED
    log.reason = reason
    log.heartbeat_at = utcnow() + timedelta(seconds=countdown)


def mark_failed(log: SyncLog, reason: str) -> None:
    log.state = LogState.FAILED
    log.reason = reason
    log.finished_at = utcnow()


def mark_superseded(log: SyncLog, reason: str, result: dict[str, Any] | None = None) -> None:
    """A final state: the work this log stood for is carried (or was done) by other logs."""
    log.state = LogState.SUPERSEDED
    log.reason = reason
    log.result = {**(log.result or {}), **(result or {})}
    log.finished_at = log.finished_at or utcnow()


def supersede_retried(session: Session, done: Iterable[SyncLog]) -> list[int]:
    """Failed logs whose retry was asked, of records these logs just finished: superseded.

    An operator's retry (or the reaper) of a record starts a new log and notes it as
    `retried_in_log` on the old one; once the record is done, the old log stops reading
    `failed`. A failed log nobody retried stays failed, whatever happened later.
    """
    keyed: dict[tuple[int, str], dict[str, int]] = {}
    for log in done:
        if log.state is LogState.DONE and log.key and log.connection_id is not None:
            keyed.setdefault((log.connection_id, log.entity), {})[log.key] = log.id
    superseded: list[int] = []
    for (connection_id, entity), keys in keyed.items():
        for old in session.scalars(
            select(SyncLog).where(
                SyncLog.connection_id == connection_id,
                SyncLog.entity == entity,
                SyncLog.key.in_(list(keys)),
                SyncLog.state == LogState.FAILED,
            )
        ):
            if old.key is None or not (old.result or {}).get("retried_in_log"):
                continue
            new_id = keys[old.key]
            if old.id == new_id:
                continue
            mark_superseded(old, f"done by log {new_id} (was: {old.reason})",
                            {"superseded_by": new_id})  # fmt: skip
            superseded.append(old.id)
    return superseded
