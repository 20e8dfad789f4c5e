"""What an operator does to sync logs: retry one, retry a filtered set, requeue stuck ones.

One implementation for every entry point: `bridge logs retry|requeue` and the console's
buttons call these functions, so a log retried from the browser goes exactly the way a
log retried from the terminal does (`tasks.dispatch.retry_log`).

- `retry_log(id)`: a failed job log is sent again as the same log; a failed record log
  (one order of a page, one product) starts a new run of just that record.
- `retry_logs(filter)`: every failed log the filter matches, oldest first.
- `requeue_stuck(older_than)`: queued or running logs with nothing alive behind them
  (`bridge.sync.log_filter.stuck_clause`: a running log's heartbeat stopped, a queued
  log's message was due that long ago). A job log is sent again as itself (every use
  case is exactly-once, and `run_log` claims a log once, so a copy of a message that was
  not lost after all is a no-op); a record log waits for its page while an unfinished
  page lists it (the page is what gets sent again), and one left behind by a page that
  will never run it gets a run of its own and ends `failed` pointing to it, so nothing
  stays `queued` forever. Beat runs this every minute with the default thresholds: the
  reaper (`workers/beat.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.db import session_scope
from bridge.models import LogState, SyncLog
from bridge.sync import drift as drift_use_case
from bridge.sync import logbook
from bridge.sync.drift import repair
from bridge.sync.log_filter import (
    LogFilter,
    log_ids,
    queued_stale,
    running_stale,
    stuck_clause,
)
from bridge.sync.logbook import UNFINISHED
from tasks import dispatch, inventory
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
    older_than: timedelta | None = None,
    where: LogFilter | None = None,
    limit: int = BULK_LIMIT,
) -> list[Outcome]:
    """Send again the queued/running logs with nothing alive behind them (oldest first).

    `older_than`: how long; by default the reaper's `queued_stale()` and `running_stale()`.
    A running log is never taken for stuck before `running_stale()` without a heartbeat,
    whatever `older_than` says: its task may be alive, and one log runs once at a time.
    """
    queued_for = older_than or queued_stale()
    running_for = max(older_than or running_stale(), running_stale())
    stuck = replace(where or LogFilter(), stuck_for=queued_for, running_stuck_for=running_for,
                    state=None)  # fmt: skip
    with session_scope() as session:
        # Job and page logs first: record logs mostly wait for a page that is itself stuck,
        # and a backlog of them must not hide the pages from the limit.
        jobs = stuck.statement().where(SyncLog.entity.not_in(dispatch.PAGE_RECORD_ENTITIES))
        records = stuck.statement().where(SyncLog.entity.in_(dispatch.PAGE_RECORD_ENTITIES))
        ids = []
        for query in (jobs, records):
            found = session.scalars(query.with_only_columns(SyncLog.id).limit(limit - len(ids)))
            ids += list(reversed(list(found)))
    outcomes: list[Outcome] = []
    for log_id in ids:
        try:
            outcome = _requeue(log_id, queued_for, running_for)
        except BrokerUnavailable as exc:
            outcomes.append(Outcome(log_id, error=str(exc)))
            break
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _page_waiting(session: Session, entry: SyncLog) -> int | None:
    """An unfinished page that lists this record log (and will run it, or be requeued)."""
    pages = session.scalars(
        select(SyncLog).where(
            SyncLog.connection_id == entry.connection_id,
            SyncLog.entity.in_(list(dispatch.PAGE_RECORDS)),
            SyncLog.state.in_(UNFINISHED),
        )
    )
    for page in pages:
        if entry.id in ((page.payload or {}).get(dispatch.PAGE_RECORDS[page.entity]) or []):
            return page.id
    return None


def _requeue(log_id: int, queued_for: timedelta, running_for: timedelta) -> Outcome | None:
    """Send one stuck log again; None when it is not stuck after all (taken or finished
    meanwhile, or a record its page will still run)."""
    with session_scope() as session:
        # Re-checked here, row locked; a row a worker holds locked is being worked on.
        entry = session.scalars(
            select(SyncLog)
            .where(SyncLog.id == log_id, stuck_clause(queued_for, running_for))
            .with_for_update(skip_locked=True)
        ).first()
        if entry is None:
            return None
        job = dispatch.job_for_log(entry)
        if job is None:
            return Outcome(log_id, error=f"{entry.entity} logs cannot be requeued")
        connection_id, same_log = entry.connection_id, job.entity == entry.entity
        if entry.entity in dispatch.PAGE_RECORD_ENTITIES and _page_waiting(session, entry):
            return None
        since = entry.heartbeat_at or entry.updated_at
        was = f"stuck {entry.state} since {since:%Y-%m-%d %H:%M:%S} UTC"
        if same_log:
            logbook.mark_retrying(entry, f"requeued: {was}")
            new_id = log_id
        else:
            # The record's own run, committed with the old log's pointer to it: if the
            # broker is down, the new log waits queued for the next reaping.
            new = logbook.open_log(session, connection_id=connection_id, entity=job.entity,
                                   direction=job.direction, key=_record_key(job),
                                   payload=job.payload)  # fmt: skip
            new_id = new.id
            logbook.mark_failed(entry, f"{was}; its record runs again in log {new_id}")
            entry.result = {**(entry.result or {}), "retried_in_log": new_id}
    send(job, new_id, fail_log=False)
    return Outcome(log_id, new_log_id=new_id)


def _record_key(job: Job) -> str | None:
    sku = (job.payload or {}).get("sku")
    return str(sku) if sku else None


@dataclass(frozen=True)
class Repair:
    """One job a drift repair queued: its log, what it does, and how many items it fixes."""

    log_id: int
    what: str
    items: int


def repair_drift(report_log_id: int, item_ids: list[int] | None = None) -> list[Repair]:
    """Queue the normal sync for exactly the records a drift report found (or some of them).

    Items already repaired, or that no sync can repair, are left alone; each repaired item
    records the log of the job that fixes it.
    """
    with session_scope() as session:
        report = session.get(SyncLog, report_log_id)
        if report is None or report.entity != drift_use_case.ENTITY:
            raise LookupError(f"no drift report {report_log_id}")
        connection_id = report.connection_id
        assert connection_id is not None
        items = repair.pending_items(session, report_log_id, item_ids)
        plan = repair.plan(session, connection_id, items)
    queued: list[Repair] = []

    def queue(job: Job, what: str, groups: dict[Any, list[int]], key: str | None = None) -> None:
        log_id = enqueue(job, connection_id, key=key)
        ids = [i for group in groups.values() for i in group]
        with session_scope() as session:
            repair.mark_repaired(session, ids, log_id)
        queued.append(Repair(log_id, what, len(ids)))

    for chunk in _chunks(plan.stock_push):
        queue(inventory.push_job(product_ids=sorted(chunk)), "stock push to Magento", chunk)
    for chunk in _chunks(plan.stock_pull):
        queue(dispatch.stock_pull_job(sorted(chunk)), "stock pull into Odoo", chunk)
    for chunk in _chunks(plan.product_export):
        queue(dispatch.product_export_job(sorted(chunk)), "product export to Magento", chunk)
    for sku, ids in plan.product_import.items():
        queue(dispatch.product_import_job(sku), "product import into Odoo", {sku: ids}, key=sku)
    for chunk in _chunks(plan.order_pull, 100):
        queue(dispatch.pull_job("orders", keys=sorted(chunk)), "order pull into Odoo", chunk)
    retried: set[int] = set()
    for log_id, ids in plan.failed_fulfillment.items():
        try:
            new_id = retry_log(log_id)
        except (LookupError, ValueError):
            continue  # retried meanwhile, or not retryable: the poll below covers the order
        with session_scope() as session:
            repair.mark_repaired(session, ids, new_id)
        retried.update(ids)
        queued.append(Repair(new_id, f"retry of fulfillment log {log_id}", len(ids)))
    rest = {oid: ids for oid, ids in plan.fulfillment.items() if not set(ids) <= retried}
    for chunk in _chunks(rest):
        queue(dispatch.fulfillment_job(sorted(chunk)), "fulfillment to Magento", chunk)
    return queued


def _chunks(groups: dict[Any, list[int]], size: int = 500) -> list[dict[Any, list[int]]]:
    keys = list(groups)
    return [{k: groups[k] for k in keys[i : i + size]} for i in range(0, len(keys), size)]
