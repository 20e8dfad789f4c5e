"""How every task runs one SyncLog: claim it, run the use case, record the outcome.

- A finished log is not run again (a redelivered message is a no-op), and a log another
  live task is running is left to it: `logbook.claim` takes a log once, so the reaper's
  copy of a message or a redelivery never runs the same work twice at the same time.
- While the use case runs, a thread refreshes the log's heartbeat (`Heartbeat`); the
  reaper (`tasks/operations.py::reap`) sends again only logs whose heartbeat stopped.
- RetryableError: the log goes back to `queued` with the reason and the task is
  retried with exponential backoff and jitter (at least the server's Retry-After).
- The state database unreachable (`bridge.db.DB_UNAVAILABLE`): retried the same way, so
  an outage never acks a message with its work undone. If not even the retry can be
  recorded, the log stays unfinished and the reaper sends it once the database is back.
- PermanentError / MappingError: the log ends `failed` with the reason.
- Anything else is a bug: the log ends `failed` naming it, the worker keeps running.
- A page that fails for good is split (`run_page`): its records go on in smaller pages,
  then one by one, so one bad record or a run of errors does not fail the others.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from celery import Task
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.clients.errors import AuthenticationError, BridgeError, RetryableError
from bridge.crypto import SecretError
from bridge.db import DB_UNAVAILABLE, session_scope
from bridge.mappers.errors import MappingError
from bridge.models import LogState, SyncLog, utcnow
from bridge.settings import get_settings
from bridge.sync import logbook
from bridge.sync.log_filter import heartbeat_every, running_stale
from tasks.outbox import BrokerUnavailable, Job, send

log = logging.getLogger(__name__)

#: A use case for one log: (session, log) -> result to store on the log.
Handler = Callable[[Session, SyncLog], dict[str, Any] | None]
#: Called instead of failing a log for good, in the session that would fail it: returns
#: what to do once that session committed (send new work), or None to fail the log.
GiveUp = Callable[[Session, SyncLog, str], Callable[[], None] | None]
#: Called with a log that fails for good, in the session that fails it (a page fails
#: its waiting records in the same commit, so no reader sees the page failed and its
#: records still queued).
OnFail = Callable[[Session, SyncLog, str], None]

#: A failed page of more records than this goes on in pages of this many, then one by one.
SPLIT_BATCH = 10


def backoff(retries: int, retry_after: float | None = None) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random; never below Retry-After."""
    settings = get_settings()
    cap = min(settings.retry_backoff_max, settings.retry_backoff_base * 2**retries)
    countdown = cap / 2 + random.uniform(0, cap / 2)
    return max(countdown, retry_after or 0.0)


class Heartbeat:
    """Refreshes a running log's heartbeat from a thread while its task works.

    Its own short transactions, so the use case's long one holds nothing it needs; a
    failed beat (the database away a moment) is logged and the next one tries again.
    """

    def __init__(self, log_id: int, task_id: str | None, every: float | None = None) -> None:
        self.log_id, self.task_id = log_id, task_id
        self.every = every if every is not None else heartbeat_every().total_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{log_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with session_scope() as session:
                    if not logbook.beat(session, self.log_id, self.task_id):
                        return  # finished, or taken over: nothing of ours to keep alive
            except Exception as exc:  # a heartbeat never takes the task down
                log.warning("sync log %s: heartbeat not recorded: %s", self.log_id, exc)


def run_log(
    task: Task,
    log_id: int,
    handler: Handler,
    give_up: GiveUp | None = None,
    on_fail: OnFail | None = None,
) -> str:
    """Run `handler` for the log; returns the state the log ended in.

    `give_up`: what to do instead of failing the log for good (a page splits itself).
    `on_fail`: what else to record when the log fails for good, in the same commit.
    """
    try:
        left = _claim(task, log_id)
    except DB_UNAVAILABLE as exc:
        return _retry(task, log_id, _db_error(exc), None, on_fail)
    if left is not None:
        return left
    started = utcnow()
    try:
        with Heartbeat(log_id, task.request.id), session_scope() as session:
            entry = session.get(SyncLog, log_id)
            assert entry is not None
            result = handler(session, entry)
            logbook.mark_done(entry, result)
            logbook.supersede_retried(session, _finished_since(session, started))
        return "done"
    except (RetryableError, IntegrityError, BrokerUnavailable, *DB_UNAVAILABLE) as exc:
        if isinstance(exc, IntegrityError):
            # Another worker bound the same record first; the retry will see it.
            exc = RetryableError(
                f"another worker wrote the same record at the same time ({exc.orig})"
            )
        elif isinstance(exc, BrokerUnavailable):
            # A follow-up could not be queued; what the run did is bound, so a rerun finds it.
            exc = RetryableError(str(exc))
        elif not isinstance(exc, RetryableError):
            exc = _db_error(exc)
        return _retry(task, log_id, exc, give_up, on_fail)
    except (AuthenticationError, SecretError) as exc:
        # The whole connection is refused: smaller pages would be refused the same way.
        return _finish(log_id, str(exc), None, on_fail)
    except (BridgeError, MappingError) as exc:
        return _finish(log_id, str(exc), give_up, on_fail)
    except Exception as exc:
        log.exception("sync log %s: unexpected error", log_id)
        reason = f"internal error ({type(exc).__name__}): {exc}; see the worker's log"
        return _finish(log_id, reason, give_up, on_fail)


def _claim(task: Task, log_id: int) -> str | None:
    """None when this task now runs the log; else the state the log is left in."""
    with session_scope() as session:
        stale = utcnow() - running_stale()
        if logbook.claim(session, log_id, task.request.id, stale):
            return None
        entry = session.get(SyncLog, log_id)
        if entry is None:
            log.warning("sync log %s is gone (purged?); nothing to do", log_id)
            return "missing"
        if entry.state is LogState.RUNNING:
            log.info("sync log %s is running in task %s; left to it", log_id, entry.task_id)
        return str(entry.state)


def _db_error(exc: Exception) -> RetryableError:
    first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[:1]
    return RetryableError(f"the state database cannot be reached: {''.join(first_line)}")


def _retry(
    task: Task,
    log_id: int,
    exc: RetryableError,
    give_up: GiveUp | None,
    on_fail: OnFail | None,
) -> str:
    retries = task.request.retries
    if retries >= get_settings().retry_max:
        reason = f"gave up after {retries + 1} attempts: {exc.message}"
        return _finish(log_id, reason, give_up, on_fail)
    countdown = backoff(retries, exc.retry_after)
    try:
        with session_scope() as session:
            entry = session.get(SyncLog, log_id)
            if entry is not None and entry.state in (LogState.QUEUED, LogState.RUNNING):
                logbook.mark_retrying(entry, f"retrying in {countdown:.0f}s: {exc.message}",
                                      countdown)  # fmt: skip
    except DB_UNAVAILABLE:
        # Still `running` (or `queued`) with this task's id: the retry takes it over.
        log.warning("sync log %s: retrying in %.0fs, state database down", log_id, countdown)
    raise task.retry(countdown=countdown, exc=exc, max_retries=get_settings().retry_max) from exc


def _finish(log_id: int, reason: str, give_up: GiveUp | None, on_fail: OnFail | None) -> str:
    """Fail the log for good, unless `give_up` hands its work on; the state it ends in."""
    then: Callable[[], None] | None = None
    try:
        with session_scope() as session:
            entry = session.get(SyncLog, log_id)
            if entry is None:
                return "missing"
            then = give_up(session, entry, reason) if give_up is not None else None
            if then is None:
                if on_fail is not None:
                    on_fail(session, entry, reason)
                logbook.mark_failed(entry, reason)
    except DB_UNAVAILABLE as exc:
        # Nothing can be recorded: the log stays unfinished and the reaper sends it again.
        log.error("sync log %s: cannot record %r (state database: %s)", log_id, reason, exc)
        return "running"
    if then is not None:
        then()
        return str(LogState.SUPERSEDED)
    return str(LogState.FAILED)


def _finished_since(session: Session, started: datetime) -> list[SyncLog]:
    """The logs this run finished (the task's own, and a page's records)."""
    return [
        obj
        for obj in session.identity_map.values()
        if isinstance(obj, SyncLog) and obj.finished_at is not None and obj.finished_at >= started
    ]


def run_page(task: Task, log_id: int, handler: Handler, records: str, *, split: bool = True) -> str:
    """`run_log` for a page log, whose payload lists its records under `records` (record
    log ids, or the raw records themselves).

    A page that fails for good goes on in smaller pages (`split_page`) unless `split` is
    off; a page that fails for good takes its waiting record logs with it, saying why.
    """

    def _split(session: Session, page: SyncLog, reason: str) -> Callable[[], None] | None:
        return split_page(task, session, page, reason, records)

    def _fail_records(session: Session, page: SyncLog, reason: str) -> None:
        listed = (page.payload or {}).get(records, [])
        if all(isinstance(i, int) for i in listed):
            for entry in logbook.unfinished_logs(session, listed):
                logbook.mark_failed(entry, f"its page (log {log_id}) failed: {reason}")

    return run_log(task, log_id, handler, give_up=_split if split else None, on_fail=_fail_records)


def split_page(
    task: Task, session: Session, page: SyncLog, reason: str, records: str
) -> Callable[[], None] | None:
    """Hand a failed page's records to smaller pages: of `SPLIT_BATCH`, then of one.

    The page ends `superseded` naming its pages; each new page is a log of its own, sent
    once this session committed. None (fail the page) when one record is left.
    """
    listed = list((page.payload or {}).get(records) or [])
    if listed and all(isinstance(i, int) for i in listed):
        listed = [entry.id for entry in logbook.unfinished_logs(session, listed)]
    if len(listed) <= 1:
        return None
    size = SPLIT_BATCH if len(listed) > SPLIT_BATCH else 1
    ids = []
    for start in range(0, len(listed), size):
        sub = logbook.open_log(
            session,
            connection_id=page.connection_id,
            entity=page.entity,
            direction=page.direction,
            payload={**(page.payload or {}), records: listed[start : start + size],
                     "split_from": page.id},
        )  # fmt: skip
        ids.append(sub.id)
    logbook.mark_superseded(
        page,
        f"{reason}; its {len(listed)} records go on in {len(ids)} smaller pages "
        f"(logs {ids[0]}..{ids[-1]})",
        {"split_into": ids},
    )
    job = Job(task, page.entity, page.direction)

    def send_pages() -> None:
        for sub_id in ids:
            try:
                send(job, sub_id, fail_log=False)
            except BrokerUnavailable:
                # Left queued: the reaper sends it once the broker is back.
                log.error("page %s: split page %s could not be queued", page.id, sub_id)

    return send_pages
