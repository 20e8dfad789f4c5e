"""`bridge logs ...`: list, show, retry and requeue sync logs.

Retry and requeue are `tasks/operations.py`, the same functions the console's buttons
call; the filters are `bridge.sync.log_filter.LogFilter`, the same the console's list uses.
Exit codes, for cron: 1 when a log could not be retried or requeued, and with `--wait`
when a log it queued ends failed (or is not finished in time).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from bridge.cli.common import console, fail, ready_db
from bridge.cli.render import logs_table
from bridge.db import session_scope
from bridge.models import Direction, LogState, SyncLog
from bridge.sync.connections import ConnectionNotFound, get_connection
from bridge.sync.log_filter import LogFilter, find_logs, queued_stale, running_stale
from tasks import dispatch, operations
from tasks.outbox import BrokerUnavailable, wait_for

app = typer.Typer(help="Sync logs: every unit of work, with its payload, state and reason.")

ConnectionOpt = Annotated[str | None, typer.Option("--connection", "-c")]
EntityOpt = Annotated[str | None, typer.Option(help="e.g. order, orders.page, stock.push")]
DirectionOpt = Annotated[Direction | None, typer.Option(help="magento_to_odoo, odoo_to_magento")]
KeyOpt = Annotated[str | None, typer.Option(help="a record's key: increment id, SKU...")]
SinceOpt = Annotated[str | None, typer.Option(help="created at or after: 2026-11-30[T12:00]")]
UntilOpt = Annotated[str | None, typer.Option(help="created before: 2026-12-01[T08:00]")]
OlderThanOpt = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="minutes with nothing alive behind a queued/running log (default: the "
        "reaper's, BRIDGE_REAP_QUEUED_AFTER 300 s queued, BRIDGE_REAP_RUNNING_AFTER 120 s "
        "running without a heartbeat)",
    ),
]
WaitOpt = Annotated[
    float,
    typer.Option(help="seconds to wait for what was queued to finish; exit 1 if any fails"),
]


def parse_when(text: str | None, option: str) -> datetime | None:
    """A date or ISO date-time (UTC unless it says otherwise); a one-line error otherwise."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date (2026-11-30) or date-time (2026-11-30T12:00)")
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def build_filter(
    connection: str | None,
    entity: str | None = None,
    direction: Direction | None = None,
    state: LogState | None = None,
    key: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> LogFilter:
    conn_id = None
    if connection:
        with session_scope() as session:
            try:
                conn_id = get_connection(session, connection).id
            except ConnectionNotFound as exc:
                fail(str(exc))
    return LogFilter(
        connection_id=conn_id,
        entity=entity,
        direction=direction,
        state=state,
        key=key,
        since=parse_when(since, "--since"),
        until=parse_when(until, "--until"),
    )


@app.command("list")
def list_(
    connection: ConnectionOpt = None,
    state: Annotated[
        LogState | None, typer.Option(help="draft, queued, running, done, failed")
    ] = None,
    entity: EntityOpt = None,
    direction: DirectionOpt = None,
    key: KeyOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    stuck: Annotated[
        bool, typer.Option("--stuck", help="only queued/running logs nothing alive stands behind")
    ] = False,
    older_than: OlderThanOpt = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
) -> None:
    """The newest logs first."""
    ready_db()
    where = build_filter(connection, entity, direction, state, key, since, until)
    if older_than is not None and not stuck:
        fail("--older-than goes with --stuck")
    if stuck:
        queued_for = timedelta(minutes=older_than) if older_than else queued_stale()
        running_for = max(timedelta(minutes=older_than or 0), running_stale())
        where = LogFilter(**{**where.__dict__, "stuck_for": queued_for,
                             "running_stuck_for": running_for})  # fmt: skip
    with session_scope() as session:
        console.print(logs_table(find_logs(session, where, limit)))


@app.command("show")
def show(log_id: int) -> None:
    """One log with its raw payload and result."""
    ready_db()
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is None:
            fail(f"no sync log {log_id}")
        console.print(logs_table([entry]))
        console.print(f"[bold]reason[/bold]: {entry.reason or '—'}")
        console.print("[bold]payload[/bold]:")
        console.print_json(json.dumps(entry.payload, default=str))
        console.print("[bold]result[/bold]:")
        console.print_json(json.dumps(entry.result, default=str))


@app.command("retry")
def retry(
    log_id: Annotated[
        int | None, typer.Argument(help="one log (a page log retries its records); or filter")
    ] = None,
    connection: ConnectionOpt = None,
    state: Annotated[LogState | None, typer.Option(help="failed (the only state retried)")] = None,
    entity: EntityOpt = None,
    direction: DirectionOpt = None,
    key: KeyOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[int, typer.Option(min=1)] = operations.BULK_LIMIT,
    wait: WaitOpt = 0,
) -> None:
    """Run failed work again (after its cause was fixed): one log, or every failed log a
    filter matches (--entity order --since 2026-11-30 ...)."""
    ready_db()
    if state is not None and state is not LogState.FAILED:
        fail(f"--state {state}: only failed logs are retried (stuck ones: bridge logs requeue)")
    if log_id is not None:
        try:
            new_id = operations.retry_log(log_id)
        except (LookupError, ValueError, BrokerUnavailable) as exc:
            fail(str(exc))
        console.print(f"[green]✓[/green] queued again as log {new_id}")
        _wait([operations.Outcome(log_id, new_log_id=new_id)], wait)
        return
    where = build_filter(connection, entity, direction, None, key, since, until)
    if where.is_empty():
        fail("name a log id, or filter the failed logs to retry (--entity, --since, ...)")
    outcomes = operations.retry_logs(where, limit)
    _report(outcomes, "retried", "failed log", wait)


@app.command("requeue")
def requeue(
    older_than: OlderThanOpt = None,
    connection: ConnectionOpt = None,
    entity: EntityOpt = None,
    limit: Annotated[int, typer.Option(min=1)] = operations.BULK_LIMIT,
    wait: WaitOpt = 0,
) -> None:
    """Send again the work stuck in queued or running (its worker died, its message was
    lost); beat's reaper does the same every minute."""
    ready_db()
    where = build_filter(connection, entity)
    age = timedelta(minutes=older_than) if older_than else None
    outcomes = operations.requeue_stuck(age, where, limit)
    _report(outcomes, "requeued", "stuck log", wait)


def _report(outcomes: list[operations.Outcome], done: str, what: str, wait: float) -> None:
    if not outcomes:
        console.print(f"no {what} matches")
        return
    ok = [o for o in outcomes if o.error is None]
    for o in outcomes:
        if o.error:
            console.print(f"[yellow]![/yellow] log {o.log_id}: {o.error}")
        else:
            console.print(f"[green]✓[/green] log {o.log_id} {done} as log {o.new_log_id}")
    console.print(f"{len(ok)} of {len(outcomes)} {what}(s) {done}")
    _wait(ok, wait, failed_already=len(ok) < len(outcomes))


def _wait(outcomes: list[operations.Outcome], wait: float, failed_already: bool = False) -> None:
    """With `--wait`, follow the queued logs to their end (a pull's pages, a page's
    records included); exit 1 if anything stays failed or unfinished."""
    bad = failed_already
    if wait > 0:
        deadline = time.monotonic() + wait
        todo = sorted({o.new_log_id for o in outcomes if o.new_log_id is not None})
        while todo:
            log_id = todo.pop(0)
            entry = wait_for(log_id, max(0.0, deadline - time.monotonic()))
            if entry is None:
                console.print(f"[yellow]![/yellow] log {log_id} not finished after {wait:.0f}s")
                bad = True
                continue
            if entry.state is LogState.FAILED:
                console.print(f"[red]✗[/red] log {log_id} ({entry.entity} {entry.key or ''}) "
                              f"failed: {entry.reason}")  # fmt: skip
                bad = True
            todo += (entry.result or {}).get("page_logs") or []
            todo += (entry.result or {}).get("split_into") or []
            records = dispatch.PAGE_RECORDS.get(entry.entity)
            if records and entry.state is LogState.DONE:
                todo += (entry.payload or {}).get(records) or []
    if bad:
        raise typer.Exit(1)
