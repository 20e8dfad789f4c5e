"""Order tasks, on the `orders` queue: pull changed orders, import one page of them.

The pull writes one log per order (the raw payload) and one page log listing them,
then queues the page: one task per page, one outcome per order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.errors import RetryableError
from bridge.clients.magento_search import SearchCriteria
from bridge.coordination import SlotUnavailable, odoo_slot
from bridge.db import session_scope
from bridge.mappers.order import ORDER_FIELDS
from bridge.models import Direction, SyncLog
from bridge.settings import get_settings
from bridge.sync import logbook, pull
from bridge.sync.connections import odoo_client
from bridge.sync.logbook import unfinished_logs
from bridge.sync.orders import changes as order_changes
from bridge.sync.orders.pages import OrderPage, import_orders, order_logs
from tasks.base import run_log, run_page
from tasks.outbox import Job, send_or_leave
from tasks.pulls import connection_of, run_pull
from workers.app import app

STREAM = "orders"
SEARCH = pull.Stream("orders")
PAGE_SIZE = 100


def order_search(increment_ids: list[str] | None) -> SearchCriteria:
    """Every changed order, whatever its state: an imported order that leaves the
    connection's states (held, completed) must still be seen. Which ones get a log is
    `bridge.sync.orders.changes.worth_a_log`'s to say."""
    criteria = SearchCriteria()
    if increment_ids:
        return criteria.where("increment_id", increment_ids, "in")
    return criteria


def _pull(session: Session, entry: SyncLog) -> dict[str, Any]:
    keys = (entry.payload or {}).get("keys")
    return run_pull(
        session,
        entry,
        stream=STREAM,
        search=SEARCH,
        criteria=order_search(keys),
        fields=ORDER_FIELDS,
        page_size=PAGE_SIZE,
        send_page=_send_page,
        select=order_changes.worth_a_log,
    )


def _send_page(connection_id: int, orders: list[dict[str, Any]]) -> int:
    """Commit the order logs and the page log, then queue the page."""
    with session_scope() as session:
        ids = order_logs(session, connection_id, orders)
        page_log = logbook.open_log(
            session,
            connection_id=connection_id,
            entity="orders.page",
            direction=Direction.MAGENTO_TO_ODOO,
            payload={"order_logs": ids},
        )
        page_id = page_log.id
    send_or_leave(Job(import_page, "orders.page", Direction.MAGENTO_TO_ODOO), page_id)
    return page_id


def _import_page(session: Session, entry: SyncLog) -> dict[str, Any]:
    conn = connection_of(session, entry)
    logs = unfinished_logs(session, (entry.payload or {}).get("order_logs", []))
    for log in logs:
        logbook.mark_running(log, entry.task_id)
    # At most `odoo_parallel_pages` pages of this connection talk to its Odoo at once,
    # whatever the number of workers: past Odoo's own workers, more only queue there.
    limit, wait = conn.odoo_parallel_pages, get_settings().odoo_slot_wait
    try:
        with odoo_slot(conn.id, limit, wait):
            return import_orders(OrderPage(session, conn, odoo_client(conn)), logs)
    except SlotUnavailable as exc:
        raise RetryableError(str(exc)) from None


@app.task(bind=True, name="tasks.orders.pull")
def pull(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _pull)


@app.task(bind=True, name="tasks.orders.import_page")
def import_page(self: Any, log_id: int) -> str:
    return run_page(self, log_id, _import_page, "order_logs")
