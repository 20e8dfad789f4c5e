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
from typing import Any

from bridge.db import session_scope
from bridge.models import LogState, SyncLog, utcnow
from bridge.sync import drift as drift_use_case
from bridge.sync import logbook
from bridge.sync.drift import repair
from bridge.sync.log_filter import STUCK_AFTER, LogFilter, log_ids
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
