"""How every task runs one SyncLog: load it, run the use case, record the outcome.

- A log already done or failed is not run again (a redelivered message is a no-op).
- RetryableError: the log goes back to `queued` with the reason and the task is
  retried with exponential backoff and jitter (at least the server's Retry-After).
- PermanentError / MappingError: the log ends `failed` with the reason.
- Anything else is a bug: the log ends `failed` naming it, the worker keeps running.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

from celery import Task
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.clients.errors import BridgeError, RetryableError
from bridge.crypto import SecretError
from bridge.db import session_scope
from bridge.mappers.errors import MappingError
from bridge.models import SyncLog
from bridge.settings import get_settings
from bridge.sync import logbook

log = logging.getLogger(__name__)

#: A use case for one log: (session, log) -> result to store on the log.
Handler = Callable[[Session, SyncLog], dict[str, Any] | None]


def backoff(retries: int, retry_after: float | None = None) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random; never below Retry-After."""
    settings = get_settings()
    cap = min(settings.retry_backoff_max, settings.retry_backoff_base * 2**retries)
    countdown = cap / 2 + random.uniform(0, cap / 2)
    return max(countdown, retry_after or 0.0)


def run_log(task: Task, log_id: int, handler: Handler) -> str:
    """Run `handler` for the log; returns the state the log ended in."""
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is None:
            log.warning("sync log %s is gone (purged?); nothing to do", log_id)
            return "missing"
        if entry.state not in logbook.UNFINISHED:
            return str(entry.state)
        logbook.mark_running(entry, task.request.id)

    try:
        with session_scope() as session:
            entry = session.get(SyncLog, log_id)
            assert entry is not None
            result = handler(session, entry)
            logbook.mark_done(entry, result)
            return "done"
    except (RetryableError, IntegrityError) as exc:
        # IntegrityError: another worker bound the same record first; the retry will see it.
        exc = (
            exc
            if isinstance(exc, RetryableError)
            else RetryableError(
                f"another worker wrote the same record at the same time ({exc.orig})"
            )
        )
        retries = task.request.retries
        if retries >= get_settings().retry_max:
            _finish(log_id, f"gave up after {retries + 1} attempts: {exc.message}")
            return "failed"
        countdown = backoff(retries, exc.retry_after)
        with session_scope() as session:
            entry = session.get(SyncLog, log_id)
            if entry is not None:
                logbook.mark_retrying(entry, f"retrying in {countdown:.0f}s: {exc.message}")
        raise task.retry(
            countdown=countdown, exc=exc, max_retries=get_settings().retry_max
        ) from exc
    except (BridgeError, MappingError, SecretError) as exc:
        _finish(log_id, str(exc))
        return "failed"
    except Exception as exc:
        log.exception("sync log %s: unexpected error", log_id)
        _finish(log_id, f"internal error ({type(exc).__name__}): {exc}; see the worker's log")
        return "failed"


def _finish(log_id: int, reason: str) -> None:
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is not None:
            logbook.mark_failed(entry, reason)


def run_page(task: Task, log_id: int, handler: Handler, records: str) -> str:
    """`run_log` for a page log; a page that failed for good takes its waiting records
    (the log ids under `records` in its payload) with it, each saying why."""
    state = run_log(task, log_id, handler)
    if state == "failed":
        with session_scope() as session:
            page = session.get(SyncLog, log_id)
            if page is not None:
                for entry in logbook.unfinished_logs(
                    session, (page.payload or {}).get(records, [])
                ):
                    logbook.mark_failed(entry, f"its page (log {log_id}) failed: {page.reason}")
    return state
