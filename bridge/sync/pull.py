"""Pulling changed records from Magento by `updated_at`, page by page, with an overlap.

The cursor holds the newest `updated_at` already read. Each pull starts a little
before it (the overlap), because Magento stamps `updated_at` at commit time with a
one-second resolution and a record saved while we were reading could otherwise
slip between two pulls. Re-reading a few records is harmless: imports are idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.magento import MagentoClient
from bridge.clients.magento_search import SearchCriteria
from bridge.models import Cursor

MAGENTO_TIME = "%Y-%m-%d %H:%M:%S"
OVERLAP = timedelta(minutes=5)


def get_cursor(session: Session, connection_id: int, stream: str) -> Cursor:
    cursor = session.scalars(
        select(Cursor).where(Cursor.connection_id == connection_id, Cursor.stream == stream)
    ).first()
    if cursor is None:
        cursor = Cursor(connection_id=connection_id, stream=stream)
        session.add(cursor)
        session.flush()
    return cursor


def window_start(cursor_value: str | None, since: str | None = None) -> str | None:
    """Where a pull starts: `since` when given, else the cursor minus the overlap."""
    if since:
        return since
    if not cursor_value:
        return None
    start = datetime.strptime(cursor_value, MAGENTO_TIME) - OVERLAP
    return start.strftime(MAGENTO_TIME)


def changed_pages(
    magento: MagentoClient,
    path: str,
    criteria: SearchCriteria,
    start: str | None,
    *,
    fields: str | None,
    page_size: int,
) -> Iterator[list[dict]]:
    """Pages of records updated at or after `start`, oldest first (ties by id)."""
    if start:
        criteria = criteria.where("updated_at", start, "gteq")
    criteria = criteria.order_by("updated_at", "ASC")
    yield from magento.search(path, criteria, fields=fields, page_size=page_size)


def advance(cursor: Cursor, records: list[dict]) -> None:
    newest = max((r.get("updated_at") or "" for r in records), default="")
    if newest and (cursor.value or "") < newest:
        cursor.value = newest
