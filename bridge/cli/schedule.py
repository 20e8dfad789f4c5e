"""`bridge schedule ...`: what beat runs and when; edits apply without restarting beat."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from bridge.cli.common import console, fail, ready_db
from bridge.db import session_scope
from bridge.models import Connection, Schedule
from bridge.sync import schedules
from bridge.sync.connections import ConnectionNotFound, get_connection
from tasks.dispatch import JOBS, REAP_JOB

#: Every job a schedule may name: tasks, and the reaper beat runs itself.
KNOWN = (*JOBS, REAP_JOB)

app = typer.Typer(help="Schedules beat runs, per connection.")


@app.command("list")
def list_() -> None:
    ready_db()
    table = Table()
    for col in ("id", "connection", "job", "every", "enabled", "next run (UTC)", "last run"):
        table.add_column(col)
    with session_scope() as session:
        schedules.ensure_defaults(session)
        names = dict(session.execute(select(Connection.id, Connection.name)).all())
        for s in session.scalars(select(Schedule).order_by(Schedule.id)):
            table.add_row(
                str(s.id),
                names.get(s.connection_id, "—"),
                s.job,
                f"{s.interval_seconds}s" if s.interval_seconds else f"cron {s.crontab}",
                "yes" if s.enabled else "no",
                s.next_run_at.strftime("%Y-%m-%d %H:%M:%S") if s.next_run_at else "now",
                s.last_run_at.strftime("%Y-%m-%d %H:%M:%S") if s.last_run_at else "never",
            )
    console.print(table)


@app.command("set")
def set_(
    job: Annotated[str, typer.Argument(help=f"One of: {', '.join(KNOWN)}")],
    connection: Annotated[str | None, typer.Option("--connection", "-c")] = None,
    every: Annotated[
        int | None, typer.Option(help=f"Interval in seconds (at least {schedules.MIN_INTERVAL}).")
    ] = None,
    cron: Annotated[str | None, typer.Option(help="'min hour dom month dow' in UTC.")] = None,
    disable: Annotated[bool, typer.Option("--disable")] = False,
) -> None:
    """Create or change a schedule."""
    ready_db()
    if job not in KNOWN:
        fail(f"unknown job {job!r} (known: {', '.join(KNOWN)})")
    if every is not None and every < schedules.MIN_INTERVAL:
        fail(f"--every: at least {schedules.MIN_INTERVAL} seconds (got {every})")
    with session_scope() as session:
        conn_id = None
        if connection:
            try:
                conn_id = get_connection(session, connection).id
            except ConnectionNotFound as exc:
                fail(str(exc))
        try:
            sched = schedules.set_schedule(
                session, job, conn_id, interval_seconds=every, cron=cron, enabled=not disable
            )
        except ValueError as exc:
            fail(str(exc))
        console.print(f"[green]✓[/green] {job}: next run {sched.next_run_at:%Y-%m-%d %H:%M:%S} UTC")
