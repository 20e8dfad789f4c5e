"""Odoo -> Magento product tasks, on the `products` queue: poll, flush drafts, export a page.

The poll (beat, every minute by default, or Odoo's webhook) drafts one log per changed
template; drafts coalesce until the flush claims them. The flush cuts the claimed logs
into pages: small pages saved product by product when few are waiting, large pages
through Magento's bulk API when many are (an initial load, a price change over a
category). After a page, the exported variants' stock follows on the `inventory` queue.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.db import session_scope
from bridge.models import Direction, SyncLog
from bridge.settings import get_settings
from bridge.sync import logbook
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.logbook import unfinished_logs
from bridge.sync.products import feed as product_feed
from bridge.sync.products.export import ExportContext, export_page
from tasks import inventory
from tasks.base import run_log, run_page
from tasks.outbox import Job, enqueue, send
from tasks.pulls import connection_of
from workers.app import app

PAGE_SIZE = 50
BULK_PAGE_SIZE = 2000


def _poll(session: Session, entry: SyncLog) -> dict[str, Any]:
    conn = connection_of(session, entry)
    options = entry.payload or {}
    found = product_feed.poll(
        session,
        odoo_client(conn),
        conn.id,
        since=options.get("since"),
        template_ids=options.get("template_ids"),
    )
    session.commit()  # the drafts must be visible before the flush claims them
    return {**found, "pages": flush_drafts(conn.id, options.get("mode"))}


def flush_drafts(connection_id: int, mode: str | None = None) -> list[int]:
    """Claim every waiting draft and queue them in pages; returns the page logs.

    `mode` "bulk" or "single" forces the path (the CLI and the benchmark); by default
    the bulk API is used from `BRIDGE_PRODUCT_BULK_MIN` waiting products.
    """
    with session_scope() as session:
        claimed = product_feed.claim_drafts(session, connection_id)
    if not claimed:
        return []
    bulk = len(claimed) >= get_settings().product_bulk_min if mode is None else mode == "bulk"
    size = BULK_PAGE_SIZE if bulk else PAGE_SIZE
    pages = []
    for i in range(0, len(claimed), size):
        with session_scope() as session:
            page = logbook.open_log(
                session,
                connection_id=connection_id,
                entity="products.page",
                direction=Direction.ODOO_TO_MAGENTO,
                payload={"product_logs": claimed[i : i + size], "bulk": bulk},
            )
            page_id = page.id
        send(Job(export, "products.page", Direction.ODOO_TO_MAGENTO), page_id)
        pages.append(page_id)
    return pages


def _export(session: Session, entry: SyncLog) -> dict[str, Any]:
    conn = connection_of(session, entry)
    payload = entry.payload or {}
    logs = unfinished_logs(session, payload.get("product_logs", []))
    for log in logs:
        logbook.mark_running(log, entry.task_id)
    ctx = ExportContext(session, conn, magento_client(conn), odoo_client(conn))
    result = export_page(ctx, entry, logs, bulk=bool(payload.get("bulk")))
    # Commit the outcomes first: the stock log is written in a session of its own, and
    # SQLite lets one writer at a time.
    session.commit()
    _follow_with_stock(conn.id, result.get("product_ids") or [])
    return result


def _follow_with_stock(connection_id: int, product_ids: list[int]) -> None:
    """New or changed products get their quantities next, on the inventory queue."""
    if product_ids:
        enqueue(inventory.push_job(product_ids=product_ids), connection_id, leave_queued=True)


def _flush(session: Session, entry: SyncLog) -> dict[str, Any]:
    return {"pages": flush_drafts(connection_of(session, entry).id)}


@app.task(bind=True, name="tasks.products.flush")
def flush(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _flush)


@app.task(bind=True, name="tasks.products.poll")
def poll(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _poll)


@app.task(bind=True, name="tasks.products.export")
def export(self: Any, log_id: int) -> str:
    # Not split: a bulk page's uuids are committed on it, so a smaller page would resend them.
    return run_page(self, log_id, _export, "product_logs", split=False)
