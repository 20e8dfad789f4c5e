"""Wires the command groups into one `bridge` command."""

from __future__ import annotations

import typer

from bridge.cli import connection, imports, logs, schedule, services, sync

app = typer.Typer(
    help="Bridge keeps a Magento 2 store and an Odoo database in step.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(connection.app, name="connection")
app.add_typer(imports.app, name="import")
app.add_typer(logs.app, name="logs")
app.add_typer(schedule.app, name="schedule")
app.add_typer(sync.app, name="sync")
app.add_typer(services.sandbox_app, name="sandbox")
app.add_typer(services.db_app, name="db")
app.command()(services.worker)
app.command()(services.beat)
app.command()(services.flower)
app.command()(services.serve)


@app.command()
def demo() -> None:
    """Full setup sync against both sandboxes: no services, no configuration needed."""
    from bridge.demo import run_demo

    raise typer.Exit(run_demo())
