"""Magento -> Odoo product tasks, on the `products` queue: pull, import a page, import a SKU.

The pull reads the products changed since its cursor (`updated_at`), writes one log per
product (its raw payload) and one page log listing them, then queues the page: one task
per page, one outcome per product. A Magento event queues `import_sku` with a log of its
own (`{"sku", "event", "deleted"}`, queued at once: the event is the change, so there is
no draft to coalesce), which is left done or failed as the audit trail; retrying a failed
product log runs it through `import_sku`, which reads the product from Magento again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.errors import PermanentError
from bridge.db import session_scope
from bridge.models import Direction, LogState, SyncLog
from bridge.sync import logbook, pull
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.logbook import unfinished_logs
from bridge.sync.products.imports import (
    PAGE_ENTITY,
    PAGE_SIZE,
    SEARCH_PATH,
    STREAM,
    ImportContext,
    import_products,
    product_logs,
    product_search,
)
from tasks.base import run_log, run_page
from tasks.outbox import Job, send_or_leave
from tasks.pulls import connection_of, run_pull
from workers.app import app

SEARCH = pull.Stream(SEARCH_PATH, id_field="id")


class ProductRefused(PermanentError):
    """The product of an `import_sku` log could not be imported; the message says why."""


def _context(session: Session, entry: SyncLog) -> ImportContext:
    conn = connection_of(session, entry)
    return ImportContext(session, conn, magento_client(conn), odoo_client(conn))


def _pull(session: Session, entry: SyncLog) -> dict[str, Any]:
    return run_pull(
        session,
        entry,
        stream=STREAM,
        search=SEARCH,
        criteria=product_search((entry.payload or {}).get("keys")),
        fields=None,
        page_size=PAGE_SIZE,
        send_page=_send_page,
    )


def _send_page(connection_id: int, products: list[dict[str, Any]]) -> int:
    """Commit the product logs and the page log, then queue the page."""
    with session_scope() as session:
        ids = product_logs(session, connection_id, products)
        page = logbook.open_log(
            session,
            connection_id=connection_id,
            entity=PAGE_ENTITY,
            direction=Direction.MAGENTO_TO_ODOO,
            payload={"product_logs": ids},
        )
        page_id = page.id
    send_or_leave(Job(import_page, PAGE_ENTITY, Direction.MAGENTO_TO_ODOO), page_id)
    return page_id


def _import_page(session: Session, entry: SyncLog) -> dict[str, Any]:
    logs = unfinished_logs(session, (entry.payload or {}).get("product_logs", []))
    for log in logs:
        logbook.mark_running(log, entry.task_id)
    return import_products(_context(session, entry), logs)


def _import_sku(session: Session, entry: SyncLog) -> dict[str, Any]:
    """The log is the product's own: its outcome is the task's."""
    import_products(_context(session, entry), [entry], fresh=True)
    if entry.state is LogState.FAILED:
        reason = entry.reason or "the product could not be imported"
        session.commit()  # what the batch did for others (a bundle's parts) stays done
        raise ProductRefused(reason)
    return dict(entry.result or {})


@app.task(bind=True, name="tasks.products.pull")
def pull(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _pull)


@app.task(bind=True, name="tasks.products.import_page")
def import_page(self: Any, log_id: int) -> str:
    return run_page(self, log_id, _import_page, "product_logs")


@app.task(bind=True, name="tasks.products.import_sku")
def import_sku(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _import_sku)
