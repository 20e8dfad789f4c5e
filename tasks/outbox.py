"""Putting work on the queues: write the SyncLog first (the outbox), then send its id.

The log is committed before the message is sent, so a worker always finds it;
if the broker cannot take the message, the log says so instead of vanishing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from celery import Task
from kombu.exceptions import OperationalError

from bridge.db import session_scope
from bridge.models import Direction, LogState, SyncLog
from bridge.settings import get_settings
from bridge.sync import logbook
from bridge.sync.logbook import UNFINISHED

log = logging.getLogger(__name__)


class BrokerUnavailable(RuntimeError):
    """The broker refused or could not be reached; the log is marked failed."""


@dataclass(frozen=True)
class Job:
    """A kind of work beat and the CLI can start: which task, and how its log reads."""

    task: Task
    entity: str
    direction: Direction
    payload: dict[str, Any] | None = None


def enqueue(
    job: Job,
    connection_id: int | None,
    key: str | None = None,
    countdown: float | None = None,
    *,
    leave_queued: bool = False,
) -> int:
    """Write a queued log for `job` and send it (to run after `countdown` s); returns its id.

    `leave_queued`: a broker that refuses leaves the log queued for beat's reaper instead
    of failing it (`send_or_leave`): for work a task produces, whose producer cannot wait.
    """
    with session_scope() as session:
        entry = logbook.open_log(
            session,
            connection_id=connection_id,
            entity=job.entity,
            direction=job.direction,
            key=key,
            payload=job.payload,
            state=LogState.QUEUED,
        )
        log_id = entry.id
    if leave_queued:
        send_or_leave(job, log_id, countdown)
    else:
        send(job, log_id, countdown)
    return log_id


def send_or_leave(job: Job, log_id: int, countdown: float | None = None) -> bool:
    """Send; if the broker is down, leave the committed log queued (False): beat's reaper
    sends it once the broker is back, so the task producing it goes on meanwhile."""
    try:
        send(job, log_id, countdown, fail_log=False)
    except BrokerUnavailable as exc:
        log.warning("log %s stays queued for the reaper: %s", log_id, exc)
        return False
    return True


def send(job: Job, log_id: int, countdown: float | None = None, *, fail_log: bool = True) -> None:
    """Send the log's message. If the broker refuses: the log is marked failed, or, with
    `fail_log=False` (the reaper, a page's split), left queued for the reaper to send
    once the broker is back; BrokerUnavailable either way."""
    try:
        job.task.apply_async(
            args=[log_id], countdown=countdown, retry=True, retry_policy={"max_retries": 2}
        )
    except OperationalError as exc:
        reason = f"the broker at {_broker_hint()} cannot be reached: {exc}"
        if not fail_log:
            raise BrokerUnavailable(reason) from exc
        with session_scope() as session:
            failed = session.get(SyncLog, log_id)
            if failed is not None:
                logbook.mark_failed(failed, reason)
        raise BrokerUnavailable(reason) from exc


def wait_for(log_id: int, timeout: float, poll: float = 0.2) -> SyncLog | None:
    """Wait until the log is finished; None when the timeout passes first."""
    deadline = time.monotonic() + timeout
    while True:
        with session_scope() as session:
            entry = session.get(SyncLog, log_id)
            if entry is not None and entry.state not in UNFINISHED:
                session.expunge(entry)
                return entry
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll)


def _broker_hint() -> str:
    url = get_settings().broker_url
    # Never print a password embedded in the URL.
    if "@" in url:
        scheme, rest = url.split("://", 1)
        url = f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
