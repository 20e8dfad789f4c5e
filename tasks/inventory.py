"""Stock tasks, on the `inventory` queue (ahead of bulk catalog work on `products`).

- poll: Odoo's stock changes since the cursor (or some SKUs, or since a date) are read
  and compared with the agreed levels; the products whose quantity changed are queued
  as push logs of up to 500 products each.
- push: send those products' quantities to Magento.
- pull: Magento's current quantities of the bound SKUs (the safety net for missed
  events); those that differ from the agreed levels are queued as apply logs.
- apply: Magento quantities (`{"items": [...]}`, a pull's page or an event's) become Odoo
  inventory counts.

The poll and the pull only queue what differs, so a quiet shop leaves no logs behind.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.models import Direction, SyncLog
from bridge.sync import pull as cursors
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.stock import flows as stock
from bridge.sync.stock import odoo as stock_odoo
from tasks.base import run_log
from tasks.outbox import Job, enqueue
from tasks.pulls import connection_of
from workers.app import app


def _context(session: Session, entry: SyncLog) -> stock.StockContext:
    conn = connection_of(session, entry)
    return stock.StockContext(session, conn, magento_client(conn), odoo_client(conn))


def _poll(session: Session, entry: SyncLog) -> dict[str, Any]:
    ctx = _context(session, entry)
    options = entry.payload or {}
    newest = None
    unknown: list[str] = []
    if options.get("skus"):
        ids, unknown = stock.product_ids(ctx, list(options["skus"]))
    else:
        ids, newest = stock.changed_product_ids(ctx, options.get("since"))
    plan = stock.outgoing(ctx, ids)
    changed = sorted({plan.products[c.sku] for c in plan.changes})
    # A broker away leaves the pushes queued for the reaper: the cursor below moves on.
    logs = [
        enqueue(push_job(chunk), ctx.connection.id, leave_queued=True)
        for chunk in _chunks(changed, stock.CHUNK)
    ]
    if newest and not options.get("skus"):
        cursors.save_cursor(session, ctx.connection.id, stock.STREAM, newest)
    return {
        "summary": f"{len(ids)} product(s) looked at, {len(plan.changes)} quantities to send "
        f"in {len(logs)} push(es)",
        "products": len(ids),
        "changes": len(plan.changes),
        "unchanged": plan.unchanged,
        "held": plan.held,
        "from_magento": plan.from_magento,
        "push_logs": logs,
        "not_in_odoo": unknown,
        "warnings": plan.warnings,
        "cursor": newest,
    }


def _push(session: Session, entry: SyncLog) -> dict[str, Any]:
    ctx = _context(session, entry)
    options = entry.payload or {}
    ids = [int(i) for i in options.get("product_ids") or []]
    unknown: list[str] = []
    if options.get("skus"):
        found, unknown = stock.product_ids(ctx, list(options["skus"]))
        ids = sorted(set(ids) | set(found))
    result = stock.push_stock(ctx, ids)
    return {**result, "not_in_odoo": unknown} if unknown else result


def _pull(session: Session, entry: SyncLog) -> dict[str, Any]:
    ctx = _context(session, entry)
    if not ctx.connection.inventory_sync:
        return {"summary": "inventory sync is off for this connection: nothing read", "logs": []}
    skus = list((entry.payload or {}).get("skus") or [])
    if not skus:
        skus = sorted(stock_odoo.bound_products(session, ctx.connection.id))
    read = stock.magento_quantities(ctx, skus)
    fresh = stock.incoming(ctx, read)
    logs = [
        enqueue(apply_job(chunk), ctx.connection.id, leave_queued=True)
        for chunk in _chunks(fresh, stock.CHUNK)
    ]
    return {
        "summary": f"{len(read)} Magento quantities read, {len(fresh)} differ from Odoo's "
        f"in {len(logs)} apply log(s)",
        "skus": len(skus),
        "read": len(read),
        "changes": len(fresh),
        "apply_logs": logs,
        "msi": ctx.shop.msi,
    }


def _apply(session: Session, entry: SyncLog) -> dict[str, Any]:
    ctx = _context(session, entry)
    return stock.apply_magento_stock(ctx, list((entry.payload or {}).get("items") or []))


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@app.task(bind=True, name="tasks.inventory.poll")
def poll(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _poll)


@app.task(bind=True, name="tasks.inventory.push")
def push(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _push)


@app.task(bind=True, name="tasks.inventory.pull")
def pull(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _pull)


@app.task(bind=True, name="tasks.inventory.apply")
def apply(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _apply)


def push_job(product_ids: list[int] | None = None, skus: list[str] | None = None) -> Job:
    """Send these products' quantities (by Odoo id or SKU) to Magento where they changed."""
    options = (("product_ids", product_ids), ("skus", skus))
    return Job(push, stock.PUSH, Direction.ODOO_TO_MAGENTO, {k: v for k, v in options if v})


def apply_job(items: list[Any]) -> Job:
    """Count these Magento quantities (`{sku, source_code, quantity}`) in Odoo."""
    return Job(apply, stock.APPLY, Direction.MAGENTO_TO_ODOO, {"items": list(items)})
