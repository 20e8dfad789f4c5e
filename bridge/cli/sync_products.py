"""`bridge sync products`: products both ways through the queues, or a dry run of it."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

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
    run_pull,
    two_way_options,
)
from bridge.db import session_scope
from bridge.models import LogState, SyncLog
from bridge.sync.connections import ConnectionNotFound, get_connection, magento_client, odoo_client
from bridge.sync.logbook import unfinished_logs
from bridge.sync.products import feed as product_feed
from bridge.sync.products.export import plan_export, synced_descriptions
from bridge.sync.products.imports import plan_import
from bridge.sync.products.upsert import ImportContext
from tasks.dispatch import product_export_job


def products(
    connection: Name,
    since: Since = None,
    sku: Skus = None,
    direction: Direction = "both",
    dry_run: DryRun = False,
    timeout: Timeout = 1800.0,
) -> None:
    """Products changed since the last sync (or --since), or only --sku ..., both ways."""
    since = two_way_options(direction, since)
    skus = list(sku or [])
    if dry_run:
        _dry_run(connection, since, skus, direction)
        return
    failed = False
    if direction in ("both", "to-magento"):
        failed |= _to_magento(connection, since, skus, timeout)
    if direction in ("both", "to-odoo"):
        try:
            run_pull("products", connection, since, skus, timeout)
        except typer.Exit as exc:
            failed |= bool(exc.exit_code)
    if failed:
        raise typer.Exit(1)


def _template_ids(connection: str, skus: list[str]) -> list[int] | None:
    """The Odoo templates of these SKUs (None: every change); unknown SKUs are reported."""
    if not skus:
        return None
    with session_scope() as session:
        conn = get_connection(session, connection)
        found = product_feed.templates_for_skus(session, odoo_client(conn), conn.id, skus)
    for missing in sorted(set(skus) - set(found)):
        console.print(f"[yellow]![/yellow] {missing}: no Odoo product has this SKU")
    return sorted(set(found.values()))


def _to_magento(connection: str, since: str | None, skus: list[str], timeout: float) -> bool:
    """Poll Odoo's changes, export them page by page; True when a product failed."""
    ready_db()
    try:
        template_ids = _template_ids(connection, skus)
    except ConnectionNotFound as exc:
        fail(str(exc))
    if template_ids == []:
        return bool(skus)
    poll = run_job(product_export_job(template_ids, since), connection, timeout)
    result = poll.result or {}
    page_ids: list[int] = result.get("pages", [])
    console.print(
        f"{result.get('changed', 0)} Odoo product(s) changed, "
        f"{result.get('drafted', 0)} to send, in {len(page_ids)} page(s)"
    )
    pages = follow(page_ids, timeout, "to Magento")
    totals = {"exported": 0, "unchanged": 0, "failed": 0}
    for page in pages:
        for key in totals:
            totals[key] += int((page.result or {}).get(key, 0))
    console.print(
        "[bold]products to Magento[/bold]: "
        + ", ".join(f"{value} {key}" for key, value in totals.items())
    )
    failures = _failed_products(pages)
    for log in failures:
        console.print(f"  [red]✗[/red] log {log.id} ({log.key}): {log.reason}")
    return bool(failures) or any(p.state is LogState.FAILED for p in pages)


def _failed_products(pages: list[SyncLog]) -> list[SyncLog]:
    ids = [i for page in pages for i in (page.payload or {}).get("product_logs", [])]
    with session_scope() as session:
        unfinished = {log.id for log in unfinished_logs(session, ids)}
        logs = [
            log
            for log in session.query(SyncLog).filter(SyncLog.id.in_(ids))
            if log.state is LogState.FAILED or log.id in unfinished
        ]
        session.expunge_all()
    return logs


def _dry_run(connection: str, since: str | None, skus: list[str], direction: str) -> None:
    ready_db()
    with session_scope() as session:
        try:
            conn = get_connection(session, connection)
        except ConnectionNotFound as exc:
            fail(str(exc))
        odoo, magento = odoo_client(conn), magento_client(conn)
        if direction in ("both", "to-magento"):
            if skus:
                ids = sorted(
                    set(product_feed.templates_for_skus(session, odoo, conn.id, skus).values())
                )
            else:
                ids = sorted(product_feed.pending(session, odoo, conn.id, since))
            bound = product_feed.bound_skus(session, conn.id, ids)
            synced = synced_descriptions(session, conn.id, ids)
            plans = plan_export(magento, odoo, ids, bound, synced)
            _table("Magento would change (from Odoo)", plans)
        if direction in ("both", "to-odoo"):
            ctx = ImportContext(session, conn, magento, odoo)
            plans = plan_import(ctx, skus=skus or None, since=since)
            _table("Odoo would change (from Magento)", plans)
        session.rollback()  # a dry run leaves nothing behind, not even a binding
    console.print("[dim]dry run: nothing was changed[/dim]")


def _table(title: str, plans: list[dict[str, Any]]) -> None:
    console.print(f"[bold]{title}[/bold]: {len(plans)} product(s)")
    if not plans:
        return
    table = Table()
    for column in ("SKU", "action", "changes"):
        table.add_column(column, overflow="fold")
    for plan in plans:
        table.add_row(
            str(plan.get("sku") or plan.get("odoo_id") or ""),
            plan["action"],
            str(plan.get("changes") or plan.get("about") or ""),
        )
    console.print(table)
