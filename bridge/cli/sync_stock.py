"""`bridge sync stock`: stock quantities both ways through the queues, or a dry run of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.table import Table
from sqlalchemy import select

from bridge.cli.common import console, fail, ready_db
from bridge.cli.jobs import run_job
from bridge.cli.pulls import (
    Direction,
    DryRun,
    Name,
    Since,
    Skus,
    Timeout,
    follow,
    two_way_options,
)
from bridge.db import session_scope
from bridge.models import Connection, LogState, SyncLog, utcnow
from bridge.sync.connections import ConnectionNotFound, get_connection, magento_client, odoo_client
from bridge.sync.stock import flows as stock
from bridge.sync.stock import odoo as stock_odoo
from tasks.dispatch import stock_poll_job, stock_pull_job


def stock_command(
    connection: Name,
    since: Since = None,
    sku: Skus = None,
    direction: Direction = "both",
    dry_run: DryRun = False,
    timeout: Timeout = 600.0,
) -> None:
    """Stock now: Odoo's free quantities to Magento sources, Magento's quantities to Odoo."""
    since = two_way_options(direction, since)
    skus = list(sku or [])
    ready_db()
    if dry_run:
        _dry_run(connection, since, skus, direction)
        return
    started = utcnow()
    failed = False
    if direction in ("both", "to-magento"):
        failed |= _to_magento(connection, since, skus, timeout)
    if direction in ("both", "to-odoo"):
        failed |= _to_odoo(connection, skus, timeout)
    failed |= _report_failed_records(connection, started)
    if failed:
        raise typer.Exit(1)


def _to_magento(connection: str, since: str | None, skus: list[str], timeout: float) -> bool:
    poll = run_job(stock_poll_job(skus or None, since), connection, timeout)
    result = poll.result or {}
    for missing in result.get("not_in_odoo") or []:
        console.print(f"[yellow]![/yellow] {missing}: no Odoo product that tracks inventory")
    for warning in result.get("warnings") or []:
        console.print(f"[yellow]![/yellow] {warning}")
    console.print(result.get("summary", ""))
    pushes = follow(result.get("push_logs") or [], timeout, "to Magento")
    _totals("stock to Magento", pushes, ("pushed", "unchanged", "held", "failed"))
    return _failed_logs(pushes)


def _to_odoo(connection: str, skus: list[str], timeout: float) -> bool:
    pull = run_job(stock_pull_job(skus or None), connection, timeout)
    result = pull.result or {}
    console.print(result.get("summary", ""))
    applies = follow(result.get("apply_logs") or [], timeout, "to Odoo")
    _totals("stock to Odoo", applies, ("counted", "agreed", "echoes", "failed"))
    return _failed_logs(applies)


def _totals(title: str, logs: list[SyncLog], keys: tuple[str, ...]) -> None:
    totals = dict.fromkeys(keys, 0)
    for log in logs:
        for key in keys:
            totals[key] += int((log.result or {}).get(key) or 0)
    console.print(f"[bold]{title}[/bold]: " + ", ".join(f"{v} {k}" for k, v in totals.items()))


def _failed_logs(logs: list[SyncLog]) -> bool:
    bad = [log for log in logs if log.state is LogState.FAILED]
    for log in bad:
        console.print(f"  [red]✗[/red] log {log.id}: {log.reason}")
    return bool(bad)


def _report_failed_records(connection: str, started: datetime) -> bool:
    """The records this run could not sync (each kept in its own failed log)."""
    with session_scope() as session:
        conn_id = get_connection(session, connection).id
        logs = session.scalars(
            select(SyncLog)
            .where(
                SyncLog.connection_id == conn_id,
                SyncLog.entity.in_((stock.TO_MAGENTO, stock.TO_ODOO)),
                SyncLog.created_at >= started,
            )
            .order_by(SyncLog.id)
        ).all()
        for log in logs:
            side = "Magento" if log.entity == stock.TO_MAGENTO else "Odoo"
            console.print(f"  [red]✗[/red] log {log.id} ({side}, {log.key}): {log.reason}")
        return bool(logs)


def _dry_run(connection: str, since: str | None, skus: list[str], direction: str) -> None:
    with session_scope() as session:
        try:
            conn = get_connection(session, connection)
        except ConnectionNotFound as exc:
            fail(str(exc))
        ctx = stock.StockContext(session, conn, magento_client(conn), odoo_client(conn))
        if direction in ("both", "to-magento"):
            if skus:
                ids, missing = stock.product_ids(ctx, skus)
                for sku in missing:
                    console.print(
                        f"[yellow]![/yellow] {sku}: no Odoo product that tracks inventory"
                    )
            else:
                ids, _ = stock.changed_product_ids(ctx, since)
            _table("Magento would change (from Odoo)", stock.plan_to_magento(ctx, ids))
        if direction in ("both", "to-odoo"):
            _plan_to_odoo(ctx, conn, skus)
        session.rollback()
    console.print("[dim]dry run: nothing was changed[/dim]")


def _plan_to_odoo(ctx: stock.StockContext, conn: Connection, skus: list[str]) -> None:
    if not conn.inventory_sync:
        console.print("Odoo would change (from Magento): nothing, inventory sync is off")
        return
    wanted = skus or sorted(stock_odoo.bound_products(ctx.session, conn.id))
    _table("Odoo would change (from Magento)", stock.plan_to_odoo(ctx, wanted))


def _table(title: str, plans: list[stock.Planned]) -> None:
    noun = "quantity" if len(plans) == 1 else "quantities"
    console.print(f"[bold]{title}[/bold]: {len(plans)} {noun}")
    if not plans:
        return
    table = Table()
    for column in ("SKU", "source", "from", "to", "note"):
        table.add_column(column, overflow="fold")
    for plan in plans:
        table.add_row(plan.sku, plan.source_code, _qty(plan.current), _qty(plan.target), plan.note)
    console.print(table)


def _qty(value: Any) -> str:
    return "-" if value is None else f"{float(value):g}"
