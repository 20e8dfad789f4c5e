"""Pull handlers: read changed records from Magento page by page, one queued task per page.

Each page is written to its own log (raw payload kept) and queued as soon as it is
read, so a large first sync streams instead of loading everything; the cursor
moves only when the whole pull succeeded, and a pull that died part-way is simply
read again (page imports are idempotent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.errors import PermanentError
from bridge.clients.magento_search import SearchCriteria
from bridge.models import Connection, SyncLog
from bridge.sync import pull
from bridge.sync.connections import magento_client


def connection_of(session: Session, entry: SyncLog) -> Connection:
    conn = session.get(Connection, entry.connection_id)
    if conn is None:
        raise PermanentError(f"connection {entry.connection_id} was deleted")
    return conn


def run_pull(
    session: Session,
    entry: SyncLog,
    *,
    stream: str,
    path: str,
    criteria: SearchCriteria,
    fields: str | None,
    page_size: int,
    send_page: Callable[[int, list[dict[str, Any]]], int],
    select: Callable[[Session, Connection, list[dict[str, Any]]], list[dict[str, Any]]]
    | None = None,
) -> dict[str, Any]:
    """Read every changed page and hand each to `send_page`; returns what was sent.

    `select` keeps the records of a page worth a log (the cursor still moves past the
    others); a page left empty is not sent. Targeted pulls keep everything they name.
    """
    conn = connection_of(session, entry)
    options = entry.payload or {}
    current = pull.cursor_value(session, conn.id, stream)
    targeted = bool(options.get("keys"))
    start = None if targeted else pull.window_start(current, options.get("since"))
    newest = current
    page_logs: list[int] = []
    records = 0
    read = 0
    for page in pull.changed_pages(
        magento_client(conn), path, criteria, start, fields=fields, page_size=page_size
    ):
        read += len(page)
        newest = pull.newest(page, newest)
        if select is not None and not targeted:
            page = select(session, conn, page)
        if page:
            page_logs.append(send_page(conn.id, page))
            records += len(page)
    if not targeted:
        pull.save_cursor(session, conn.id, stream, newest)
    return {"since": start, "read": read, "records": records, "page_logs": page_logs,
            "cursor": newest}  # fmt: skip
