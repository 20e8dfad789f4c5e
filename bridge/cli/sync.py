"""`bridge sync fulfillment|products|stock`: sync now instead of waiting for the schedule."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from bridge.cli import sync_products, sync_stock
from bridge.cli.common import console, fail
from bridge.cli.jobs import run_job
from bridge.cli.pulls import follow
from bridge.db import session_scope
from bridge.models import Binding
from bridge.sync.connections import ConnectionNotFound, get_connection
from tasks.dispatch import fulfillment_job

app = typer.Typer(help="Sync changes between Odoo and Magento now, with a progress bar.")
app.command("products")(sync_products.products)
app.command("stock")(sync_stock.stock_command)


@app.command("fulfillment")
def fulfillment(
    connection: Annotated[str, typer.Option("--connection", "-c", help="Connection name.")],
    order: Annotated[
        list[str] | None, typer.Option("--order", help="Only this Magento increment id.")
    ] = None,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds to wait for the workers.")] = 300.0,
) -> None:
    """Shipments, invoices, cancellations and credit memos from Odoo to Magento, once each."""
    order_ids = None
    if order:
        with session_scope() as session:
            try:
                conn_id = get_connection(session, connection).id
            except ConnectionNotFound as exc:
                fail(str(exc))
            order_ids = list(
                session.scalars(
                    select(Binding.odoo_id).where(
                        Binding.connection_id == conn_id,
                        Binding.entity == "order",
                        Binding.magento_key.in_(order),
                    )
                )
            )
        if not order_ids:
            fail(f"no imported order {', '.join(order)} on connection {connection!r}")
    poll = run_job(fulfillment_job(order_ids), connection, timeout)
    logs = follow((poll.result or {}).get("logs", []), timeout, "changes")
    table = Table(title=f"{len(logs)} change(s) sent to Magento", title_justify="left")
    for col in ("log", "kind", "Odoo record", "state", "what happened"):
        table.add_column(col, overflow="fold")
    failed = 0
    for log in sorted(logs, key=lambda entry: entry.id):
        ok = str(log.state) == "done"
        failed += not ok
        table.add_row(
            str(log.id),
            log.entity.removeprefix("fulfillment."),
            log.key or "",
            f"[{'green' if ok else 'red'}]{log.state}[/]",
            (log.result or {}).get("summary", "") if ok else (log.reason or ""),
        )
    console.print(table)
    if failed:
        raise typer.Exit(1)
