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


def cursor_value(session: Session, connection_id: int, stream: str) -> str | None:
    """Where the stream stopped last time (a read only: pulls write their pages meanwhile)."""
    return session.scalars(
        select(Cursor.value).where(Cursor.connection_id == connection_id, Cursor.stream == stream)
    ).first()


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


def newest(records: list[dict], current: str | None) -> str | None:
    """The newest `updated_at` among the records and the current cursor value."""
    seen = max((r.get("updated_at") or "" for r in records), default="")
    return max(seen, current or "") or None


def save_cursor(session: Session, connection_id: int, stream: str, value: str | None) -> None:
    if not value:
        return
    cursor = session.scalars(
        select(Cursor).where(Cursor.connection_id == connection_id, Cursor.stream == stream)
    ).first()
    if cursor is None:
        session.add(Cursor(connection_id=connection_id, stream=stream, value=value))
    elif (cursor.value or "") < value:
        cursor.value = value
