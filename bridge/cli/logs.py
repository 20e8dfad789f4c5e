"""`bridge logs ...`: list, show and retry sync logs."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy import select

from bridge.cli.common import console, fail, ready_db
from bridge.cli.render import logs_table
from bridge.db import session_scope
from bridge.models import LogState, SyncLog
from bridge.sync.connections import ConnectionNotFound, get_connection
from tasks.dispatch import retry_log
from tasks.outbox import BrokerUnavailable

app = typer.Typer(help="Sync logs: every unit of work, with its payload, state and reason.")


@app.command("list")
def list_(
    connection: Annotated[str | None, typer.Option("--connection", "-c")] = None,
    state: Annotated[
        LogState | None, typer.Option(help="draft, queued, running, done, failed")
    ] = None,
    entity: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option()] = 50,
) -> None:
    """The newest logs first."""
    ready_db()
    with session_scope() as session:
        query = select(SyncLog).order_by(SyncLog.id.desc()).limit(limit)
        if connection:
            try:
                query = query.where(SyncLog.connection_id == get_connection(session, connection).id)
            except ConnectionNotFound as exc:
                fail(str(exc))
        if state:
            query = query.where(SyncLog.state == state)
        if entity:
            query = query.where(SyncLog.entity == entity)
        console.print(logs_table(list(session.scalars(query))))


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
def retry(log_id: int) -> None:
    """Run a failed log's work again (after its cause was fixed)."""
    ready_db()
    try:
        new_id = retry_log(log_id)
    except (LookupError, ValueError) as exc:
        fail(str(exc))
    except BrokerUnavailable as exc:
        fail(str(exc))
    console.print(f"[green]✓[/green] queued again as log {new_id}")
