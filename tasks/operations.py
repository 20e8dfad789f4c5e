"""What an operator does to sync logs: retry one, retry a filtered set, requeue stuck ones.

One implementation for every entry point: `bridge logs retry|requeue` and the console's
buttons call these functions, so a log retried from the browser goes exactly the way a
log retried from the terminal does (`tasks.dispatch.retry_log`).

- `retry_log(id)`: a failed job log is sent again as the same log; a failed record log
  (one order of a page, one product) starts a new run of just that record.
- `retry_logs(filter)`: every failed log the filter matches, oldest first.
- `requeue_stuck(older_than)`: queued or running logs no worker touched for that long.
  A job log is sent again as itself (every use case is exactly-once, so a second run of
  work that did happen finds it done); a record log left behind by a page that will
  never run it gets a run of its own and ends `failed` pointing to it, so nothing stays
  `queued` forever.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from bridge.db import session_scope
from bridge.models import LogState, SyncLog, utcnow
from bridge.sync import logbook
from bridge.sync.log_filter import STUCK_AFTER, LogFilter, log_ids
from tasks import dispatch
from tasks.outbox import BrokerUnavailable, Job, enqueue, send

#: At most this many logs per bulk action; run it again for the rest.
BULK_LIMIT = 1000


@dataclass(frozen=True)
class Outcome:
    """What happened to one log: the log that carries its new run, or why nothing did."""

    log_id: int
    new_log_id: int | None = None
    error: str | None = None


def retry_log(log_id: int) -> int:
    """Queue one failed log again; the id of the log that carries the retry."""
    return dispatch.retry_log(log_id)


def retry_logs(where: LogFilter, limit: int = BULK_LIMIT) -> list[Outcome]:
    """Retry every failed log the filter matches (oldest first, at most `limit`).

    A log that cannot be retried is reported and skipped; a broker that refuses stops
    the run (the rest would fail the same way) after recording what was done.
    """
    with session_scope() as session:
        ids = list(reversed(log_ids(session, replace(where, state=LogState.FAILED), limit)))
    outcomes: list[Outcome] = []
    for log_id in ids:
        try:
            outcomes.append(Outcome(log_id, new_log_id=retry_log(log_id)))
        except (LookupError, ValueError) as exc:
            outcomes.append(Outcome(log_id, error=str(exc)))
        except BrokerUnavailable as exc:
            outcomes.append(Outcome(log_id, error=str(exc)))
            break
    return outcomes


def requeue_stuck(
    older_than: timedelta = STUCK_AFTER,
    where: LogFilter | None = None,
    limit: int = BULK_LIMIT,
) -> list[Outcome]:
    """Send again the queued/running logs untouched for `older_than` (oldest first)."""
    stuck = replace(where or LogFilter(), stuck_for=older_than, state=None)
    with session_scope() as session:
        ids = list(reversed(log_ids(session, stuck, limit)))
    outcomes: list[Outcome] = []
    for log_id in ids:
        try:
            outcomes.append(_requeue(log_id, older_than))
        except BrokerUnavailable as exc:
            outcomes.append(Outcome(log_id, error=str(exc)))
            break
    return outcomes


def _requeue(log_id: int, older_than: timedelta) -> Outcome:
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        # Re-checked here: a worker may have finished it since the list was read.
        if entry is None or entry.state not in (LogState.QUEUED, LogState.RUNNING):
            return Outcome(log_id, error="no longer stuck")
        if entry.updated_at > utcnow() - older_than:
            return Outcome(log_id, error="no longer stuck")
        job = dispatch.job_for_log(entry)
        if job is None:
            return Outcome(log_id, error=f"{entry.entity} logs cannot be requeued")
        was = f"stuck {entry.state} since {entry.updated_at:%Y-%m-%d %H:%M:%S} UTC"
        connection_id, same_log = entry.connection_id, job.entity == entry.entity
        if same_log:
            logbook.mark_retrying(entry, f"requeued: {was}")
    if same_log:
        send(job, log_id)
        return Outcome(log_id, new_log_id=log_id)
    new_id = enqueue(job, connection_id, key=_record_key(job))
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is not None and entry.state in (LogState.QUEUED, LogState.RUNNING):
            logbook.mark_failed(entry, f"{was}; its record runs again in log {new_id}")
            entry.result = {**(entry.result or {}), "retried_in_log": new_id}
    return Outcome(log_id, new_log_id=new_id)


def _record_key(job: Job) -> str | None:
    sku = (job.payload or {}).get("sku")
    return str(sku) if sku else None
