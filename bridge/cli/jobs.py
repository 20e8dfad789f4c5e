"""Run one job through the queue and wait for its log, as every CLI command does."""

from __future__ import annotations

from bridge.cli.common import fail, ready_db
from bridge.db import session_scope
from bridge.models import LogState, SyncLog
from bridge.sync.connections import ConnectionNotFound, get_connection
from tasks.outbox import BrokerUnavailable, Job, enqueue, wait_for


def run_job(job: Job, connection: str | None, timeout: float) -> SyncLog:
    """Enqueue `job` for the connection, wait for a worker to finish it, fail on failure."""
    ready_db()
    conn_id = None
    if connection is not None:
        with session_scope() as session:
            try:
                conn_id = get_connection(session, connection).id
            except ConnectionNotFound as exc:
                fail(str(exc))
    try:
        log_id = enqueue(job, conn_id)
    except BrokerUnavailable as exc:
        fail(str(exc))
    entry = wait_for(log_id, timeout)
    if entry is None:
        fail(
            f"no worker finished job {log_id} within {timeout:.0f}s; is `bridge worker` running "
            "on the same broker and database? (`bridge logs show "
            f"{log_id}` tells where it is)",
            code=2,
        )
    if entry.state is LogState.FAILED:
        fail(f"{entry.reason} (log {entry.id})")
    return entry
