"""`bridge import ...`: the setup imports, each run by a worker on the `setup` queue."""

from __future__ import annotations

from typing import Annotated

import typer

from bridge.cli import pulls
from bridge.cli.common import console
from bridge.cli.jobs import run_job
from bridge.cli.render import outcome_table
from bridge.sync.setup import IMPORTS
from tasks.dispatch import setup_import_job

app = typer.Typer(help="Import from Magento into Odoo: setup mappings, customers, orders.")

Name = Annotated[str, typer.Option("--connection", "-c", help="Connection name.")]
Timeout = Annotated[float, typer.Option(min=1, help="Seconds to wait for a worker.")]


def run_import(kind: str, connection: str, timeout: float) -> None:
    """Run one setup import; exit 1 when a record of it failed (a cron job must notice)."""
    entry = run_job(setup_import_job(kind), connection, timeout)
    failed = 0
    for outcome in (entry.result or {}).get("imports", []):
        console.print(outcome_table(outcome))
        failed += int(outcome["failed"])
        if outcome["failed"]:
            console.print(
                f"[red]{outcome['failed']} record(s) failed[/red]: "
                "`bridge logs list --state failed` shows them with their reasons"
            )
    if failed:
        raise typer.Exit(1)


def _command(kind: str) -> None:
    def command(connection: Name, timeout: Timeout = 300.0) -> None:
        run_import(kind, connection, timeout)

    command.__doc__ = f"Import {kind.replace('-', ' ')} (re-running updates, never duplicates)."
    app.command(kind)(command)


for _kind in IMPORTS:
    _command(_kind)
app.command("customers")(pulls.customers)
app.command("orders")(pulls.orders)
