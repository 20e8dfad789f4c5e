"""Customer tasks, on the `customers` queue: pull changed customers, import one page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.models import Direction, SyncLog
from bridge.sync import pull
from bridge.sync.connections import odoo_client
from bridge.sync.customers import (
    PAGE_SIZE,
    SEARCH_PATH,
    STREAM,
    CustomerPage,
    customer_search,
    import_customers,
)
from tasks.base import run_log, run_page
from tasks.outbox import Job, enqueue
from tasks.pulls import connection_of, run_pull
from workers.app import app

SEARCH = pull.Stream(SEARCH_PATH, id_field="id")


def _pull(session: Session, entry: SyncLog) -> dict[str, Any]:
    ids = (entry.payload or {}).get("keys")
    return run_pull(
        session,
        entry,
        stream=STREAM,
        search=SEARCH,
        criteria=customer_search(ids),
        fields=None,
        page_size=PAGE_SIZE,
        send_page=_send_page,
    )


def _send_page(connection_id: int, page: list[dict[str, Any]]) -> int:
    job = Job(import_page, "customers.page", Direction.MAGENTO_TO_ODOO, {"customers": page})
    return enqueue(job, connection_id, leave_queued=True)


def _import_page(session: Session, entry: SyncLog) -> dict[str, Any]:
    conn = connection_of(session, entry)
    page = CustomerPage(session, conn, odoo_client(conn))
    return import_customers(page, (entry.payload or {}).get("customers", []))


@app.task(bind=True, name="tasks.customers.pull")
def pull(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _pull)


@app.task(bind=True, name="tasks.customers.import_page")
def import_page(self: Any, log_id: int) -> str:
    # A page that fails for good goes on in smaller pages of its raw customers.
    return run_page(self, log_id, _import_page, "customers")
