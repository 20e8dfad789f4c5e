"""Putting work on the queues: write the SyncLog first (the outbox), then send its id.

The log is committed before the message is sent, so a worker always finds it;
if the broker cannot take the message, the log says so instead of vanishing.
"""

from __future__ import annotations

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
from tasks import maintenance, setup


class BrokerUnavailable(RuntimeError):
    """The broker refused or could not be reached; the log is marked failed."""


@dataclass(frozen=True)
class Job:
    """A kind of work beat and the CLI can start: which task, and how its log reads."""

    task: Task
    entity: str
    direction: Direction
    payload: dict[str, Any] | None = None


#: Scheduled jobs by name, as stored in Schedule.job.
JOBS: dict[str, Job] = {
    "purge_logs": Job(maintenance.purge, "maintenance.purge_logs", Direction.BOTH),
}


def setup_import_job(kind: str) -> Job:
    return Job(setup.run_import, f"setup.{kind}", Direction.MAGENTO_TO_ODOO, {"import": kind})


CHECK_JOB = Job(setup.test_connection, "setup.connection_test", Direction.BOTH)


def enqueue(job: Job, connection_id: int | None, key: str | None = None) -> int:
    """Write a queued log for `job` and send it; returns the log id."""
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
    _send(job, log_id)
    return log_id


def _send(job: Job, log_id: int) -> None:
    try:
        job.task.apply_async(args=[log_id], retry=True, retry_policy={"max_retries": 2})
    except OperationalError as exc:
        reason = f"the broker at {_broker_hint()} cannot be reached: {exc}"
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


#: Record-level logs (one failed record of a setup import) retry by re-running the import.
RECORD_TO_IMPORT = {
    "website": "websites",
    "store": "websites",
    "store_view": "websites",
    "attribute_set": "attribute-sets",
    "customer_group": "customer-groups",
    "payment_method": "payment-methods",
    "shipping_method": "shipping-methods",
}


def job_for_log(entry: SyncLog) -> Job | None:
    """The job that redoes what a log did, if it can be redone."""
    if entry.entity == CHECK_JOB.entity:
        return CHECK_JOB
    if entry.entity.startswith("setup."):
        return setup_import_job(entry.entity.removeprefix("setup."))
    if entry.entity in RECORD_TO_IMPORT:
        return setup_import_job(RECORD_TO_IMPORT[entry.entity])
    return next((job for job in JOBS.values() if job.entity == entry.entity), None)


def retry_log(log_id: int) -> int:
    """Queue a failed log again: the same log for a job, a new import run for a record.

    Returns the id of the log that will carry the retry.
    """
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is None:
            raise LookupError(f"no sync log {log_id}")
        if entry.state is not LogState.FAILED:
            raise ValueError(f"log {log_id} is {entry.state}, only failed logs are retried")
        job = job_for_log(entry)
        if job is None:
            raise ValueError(f"log {log_id} ({entry.entity}) cannot be retried")
        connection_id = entry.connection_id
        same_log = entry.entity == job.entity
        if same_log:
            logbook.mark_retrying(entry, f"retry asked (was: {entry.reason})")
    if same_log:
        _send(job, log_id)
        return log_id
    new_id = enqueue(job, connection_id)
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is not None:
            entry.result = {**(entry.result or {}), "retried_in_log": new_id}
    return new_id


def _broker_hint() -> str:
    url = get_settings().broker_url
    # Never print a password embedded in the URL.
    if "@" in url:
        scheme, rest = url.split("://", 1)
        url = f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
