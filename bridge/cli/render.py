"""Rendering results for people: import outcomes and sync logs as rich tables."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from bridge.models import SyncLog

ODOO_MODEL = {
    "website": "crm.team",
    "customer_group": "res.partner.category",
    "payment_method": "account.journal",
    "shipping_method": "delivery.carrier",
}


def outcome_table(outcome: dict[str, Any]) -> Table:
    entity = outcome["entity"]
    model = ODOO_MODEL.get(entity)
    title = (
        f"{entity.replace('_', ' ')}s: {outcome['created']} created, {outcome['updated']} "
        f"updated, {outcome['unchanged']} unchanged, {outcome['archived']} archived, "
        f"{outcome['failed']} failed"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("Magento", style="cyan")
    table.add_column("name")
    table.add_column(f"Odoo {model}" if model else "Odoo", justify="right")
    for rec in outcome["records"]:
        odoo_id = rec.get("odoo_id")
        shown = str(odoo_id) if odoo_id is not None else "— (kept in Bridge)"
        table.add_row(str(rec["key"]), str(rec["name"]), shown)
    return table


def logs_table(logs: list[SyncLog]) -> Table:
    table = Table(title_justify="left")
    for col in ("id", "connection", "entity", "dir", "key", "state", "tries", "updated", "reason"):
        table.add_column(col, overflow="fold")
    for log in logs:
        color = {"done": "green", "failed": "red"}.get(str(log.state), "yellow")
        table.add_row(
            str(log.id),
            str(log.connection_id or "—"),
            log.entity,
            {"magento_to_odoo": "M→O", "odoo_to_magento": "O→M"}.get(str(log.direction), "↔"),
            log.key or "",
            f"[{color}]{log.state}[/{color}]",
            str(log.attempts),
            log.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
            (log.reason or "")[:120],
        )
    return table
