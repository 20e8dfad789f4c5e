"""Where the counts come from: finished sync logs (a SQLAlchemy commit hook) and remote
calls (the clients' observer hook). `install()` once per process; workers do it on
import of `workers.app`, `bridge serve` when it builds its app.

A log counts when the transaction that finished it commits (done or failed; a rolled
back transaction counts nothing), labelled by connection id, entity and direction. Its
latency is `finished_at - created_at`: from the moment Bridge recorded the change (the
event's pull, the poll or the webhook's draft) to the record written on the other side.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from bridge.clients import observe
from bridge.metrics.recorder import CALL_BUCKETS, RECORDER, SYNC_BUCKETS
from bridge.models import LogState, SyncLog

_KEY = "bridge_metrics_finished"
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "after_commit", _emit)
    event.listen(Session, "after_rollback", _forget)
    observe.subscribe(_call)


def _collect(session: Session, _context: Any) -> None:
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, SyncLog) or obj.state not in (LogState.DONE, LogState.FAILED):
            continue
        history = inspect(obj).attrs.state.history
        if obj in session.new or history.added:
            session.info.setdefault(_KEY, {})[id(obj)] = (
                str(obj.connection_id or ""),
                obj.entity,
                str(obj.direction),
                obj.state,
                obj.key,
                obj.created_at,
                obj.finished_at,
            )


def _emit(session: Session) -> None:
    finished = session.info.pop(_KEY, None)
    if not finished:
        return
    for conn, entity, direction, state, key, created, ended in finished.values():
        labels = (conn, entity, direction)
        if state is LogState.DONE:
            RECORDER.inc("records_synced", labels)
            if key is not None and created is not None and ended is not None:
                seconds = max(0.0, (ended - created).total_seconds())
                RECORDER.observe("sync_latency", labels, seconds, SYNC_BUCKETS)
        else:
            RECORDER.inc("records_failed", labels)


def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)


def _call(api: str, operation: str, seconds: float, error: str | None) -> None:
    RECORDER.inc("remote_calls", (api, operation))
    RECORDER.observe("remote_call_seconds", (api,), seconds, CALL_BUCKETS)
    if error is not None:
        RECORDER.inc("remote_call_errors", (api, operation, error))
