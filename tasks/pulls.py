"""Pull handlers: read changed records from Magento page by page, one queued task per page.

Each page is written to its own log (raw payload kept) and queued as soon as it is
read, so a large first sync streams instead of loading everything. After every page
the pull records, in its own commit, a checkpoint on its log and the stream's cursor
(`bridge.sync.pull.Checkpoint`): a retried pull (a Magento fault, a worker killed, the
reaper) resumes after the last page it recorded, and the cursor never moves past a
record whose page was not committed first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.errors import PermanentError
from bridge.clients.magento_search import SearchCriteria
from bridge.db import session_scope
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
    search: pull.Stream,
    criteria: SearchCriteria,
    fields: str | None,
    page_size: int,
    send_page: Callable[[int, list[dict[str, Any]]], int],
    select: Callable[[Session, Connection, list[dict[str, Any]]], list[dict[str, Any]]]
    | None = None,
) -> dict[str, Any]:
    """Read every changed page and hand each to `send_page`; returns what was sent.

    `select` keeps the records of a page worth a log (the cursor still moves past the
    others); a page left empty is not sent. Targeted pulls keep everything they name and
    neither read nor move the cursor.
    """
    conn = connection_of(session, entry)
    options = entry.payload or {}
    targeted = bool(options.get("keys"))
    magento = magento_client(conn)
    checkpoint = pull.Checkpoint.of(options.get("checkpoint"))
    if checkpoint is None:
        current = pull.cursor_value(session, conn.id, stream)
        start = None if targeted else pull.window_start(current, options.get("since"))
        checkpoint = pull.Checkpoint(start=start, newest=current)
        pages = pull.changed_pages(magento, search, criteria, start, fields=fields,
                                   page_size=page_size)  # fmt: skip
    else:
        pages = pull.resumed_pages(magento, search, criteria, checkpoint, fields=fields,
                                   page_size=page_size)  # fmt: skip
    for page in pages:
        checkpoint.newest = pull.newest(page, checkpoint.newest)
        kept = select(session, conn, page) if select is not None and not targeted else page
        if kept:
            checkpoint.page_logs.append(send_page(conn.id, kept))
            checkpoint.records += len(kept)
        checkpoint.passed(search, page)
        _record(entry.id, conn.id, stream, checkpoint, move_cursor=not targeted)
    return {"since": checkpoint.start, "read": checkpoint.read, "records": checkpoint.records,
            "page_logs": checkpoint.page_logs, "cursor": checkpoint.newest}  # fmt: skip


def _record(
    log_id: int, connection_id: int, stream: str, checkpoint: pull.Checkpoint, move_cursor: bool
) -> None:
    """Commit how far the pull got: its checkpoint and, past what it recorded, the cursor."""
    with session_scope() as session:
        entry = session.get(SyncLog, log_id)
        if entry is not None:
            entry.payload = {**(entry.payload or {}), "checkpoint": checkpoint.as_dict()}
        if move_cursor:
            pull.save_cursor(session, connection_id, stream, checkpoint.newest)
