"""Wires the command groups into one `bridge` command."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from bridge.cli import connection, drift, imports, logs, schedule, services, sync, users
from bridge.cli.common import err_console
from bridge.crypto import SecretError


class BridgeApp(typer.Typer):
    """Typer, plus one rule for every command: a stored secret that cannot be read (key
    missing or wrong) ends the command with the one line that names the cause."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except SecretError as exc:
            err_console.print(f"[red]✗[/red] {exc}", soft_wrap=True)
            raise SystemExit(1) from None


app = BridgeApp(
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
app.add_typer(users.app, name="user")
app.command()(services.worker)
app.command()(services.beat)
app.command()(services.flower)
app.command()(services.serve)
app.command()(drift.drift)


@app.command()
def demo(
    serve: Annotated[
        bool, typer.Option(help="then keep everything up and serve the console and /metrics")
    ] = False,
    port: Annotated[int, typer.Option(min=1, max=65535, help="port of --serve")] = 8000,
    host: Annotated[str, typer.Option(help="address of --serve")] = "127.0.0.1",
) -> None:
    """Full setup sync against both sandboxes: no services, no configuration needed."""
    from bridge.demo import run_demo

    raise typer.Exit(run_demo(serve=serve, host=host, port=port))
