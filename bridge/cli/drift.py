"""`bridge drift -c NAME [--entity ...] [--repair]`: where Magento and Odoo disagree.

The report runs on a worker like every job (it reads both sides page by page); its
differences are printed from the state DB, and `--repair` queues the normal sync for
exactly those records (`tasks.operations.repair_drift`, the console's Repair button).
Exit code 0: no difference left unrepaired; 1: differences remain (so cron notices).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import func, select

from bridge.cli.common import console, fail
from bridge.cli.jobs import run_job
from bridge.db import session_scope
from bridge.models import DriftItem
from bridge.sync.drift import ORDER_DAYS
from tasks.drift import drift_job
from tasks.operations import repair_drift
from tasks.outbox import BrokerUnavailable

SHOWN = 50


class Entity(StrEnum):
    STOCK = "stock"
    PRICES = "prices"
    ORDERS = "orders"


def drift(
    connection: Annotated[str, typer.Option("--connection", "-c", help="connection name")],
    entity: Annotated[
        list[Entity] | None, typer.Option(help="what to compare (repeatable); all by default")
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="orders created in the last N days")] = (
        ORDER_DAYS
    ),
    repair: Annotated[bool, typer.Option(help="queue the normal sync for each difference")] = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait for the report")] = 1800.0,
) -> None:
    """Compare stock, prices and orders on both sides; optionally repair what differs."""
    entities = [e.value for e in entity] if entity else None
    entry = run_job(drift_job(entities, days), connection, timeout)
    console.print(f"[bold]drift report {entry.id}[/bold]: {(entry.result or {}).get('summary')}")
    with session_scope() as session:
        items = list(
            session.scalars(
                select(DriftItem).where(DriftItem.log_id == entry.id).order_by(DriftItem.id)
            )
        )
        total = session.scalar(select(func.count()).where(DriftItem.log_id == entry.id)) or 0
    if items:
        console.print(_table(items[:SHOWN]))
        if total > SHOWN:
            console.print(f"… and {total - SHOWN} more (the console's Drift page lists them all)")
    if not total:
        return
    if not repair:
        console.print("run again with --repair to queue the sync of these records")
        raise typer.Exit(1)
    try:
        repairs = repair_drift(entry.id)
    except BrokerUnavailable as exc:
        fail(str(exc))
    fixed = sum(r.items for r in repairs)
    for r in repairs:
        console.print(f"[green]✓[/green] log {r.log_id}: {r.what} ({r.items} difference(s))")
    left = total - fixed
    if left:
        console.print(f"[yellow]![/yellow] {left} difference(s) no sync can repair (see note)")
        raise typer.Exit(1)


def _table(items: list[DriftItem]) -> Table:
    table = Table(title_justify="left")
    for col in ("kind", "key", "where", "Magento", "Odoo", "right", "why"):
        table.add_column(col, overflow="fold")
    for i in items:
        table.add_row(
            i.kind,
            i.key,
            i.scope,
            i.magento_value or "—",
            i.odoo_value or "—",
            i.truth,
            (i.note or "")[:100],
        )
    return table
