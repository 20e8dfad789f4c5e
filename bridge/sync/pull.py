"""Pulling changed records from Magento by `updated_at`, page by page, with an overlap.

The cursor holds the newest `updated_at` already read. Each pull starts a little
before it (the overlap), because Magento stamps `updated_at` at commit time with a
one-second resolution and a record saved while we were reading could otherwise
slip between two pulls. Re-reading a few records is harmless: imports are idempotent.

Pages are read oldest first, ties by entity id, so a pull that stops part-way knows
exactly where: the `Checkpoint` of the last page it recorded, (updated_at, id) of that
page's last record. A retried pull resumes after it (`resumed_pages`) instead of
reading everything again; only then is a long pull through a flaky API ever finished.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

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


@dataclass(frozen=True)
class Stream:
    """How one Magento search is read: the id searched by (`entity_id` everywhere) and
    the name the records carry it under (`entity_id` for orders, `id` for customers and
    products)."""

    path: str
    id_filter: str = "entity_id"
    id_field: str = "entity_id"


@dataclass
class Checkpoint:
    """How far one pull got: every page up to the record (`updated_at`, `after_id`) is
    recorded (its logs committed, its page sent). Kept on the pull's log."""

    start: str | None
    updated_at: str | None = None
    after_id: int | None = None
    newest: str | None = None
    page_logs: list[int] = field(default_factory=list)
    read: int = 0
    records: int = 0

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> Checkpoint | None:
        return cls(**data) if data else None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def passed(self, stream: Stream, page: list[dict]) -> None:
        """Move past `page` (read and recorded)."""
        last = page[-1]
        self.updated_at = last.get("updated_at") or self.updated_at
        self.after_id = int(last.get(stream.id_field) or 0)
        self.read += len(page)


def changed_pages(
    magento: MagentoClient,
    stream: Stream,
    criteria: SearchCriteria,
    start: str | None,
    *,
    fields: str | None,
    page_size: int,
) -> Iterator[list[dict]]:
    """Pages of records updated at or after `start`, oldest first (ties by id)."""
    if start:
        criteria = criteria.where("updated_at", start, "gteq")
    criteria = criteria.order_by("updated_at", "ASC").order_by(stream.id_filter, "ASC")
    yield from magento.search(stream.path, criteria, fields=fields, page_size=page_size)


def resumed_pages(
    magento: MagentoClient,
    stream: Stream,
    criteria: SearchCriteria,
    checkpoint: Checkpoint,
    *,
    fields: str | None,
    page_size: int,
) -> Iterator[list[dict]]:
    """The pages after a checkpoint: the rest of its second, then every later one.

    searchCriteria ANDs filter groups, so "after (t, id)" is read as two searches:
    `updated_at = t AND id > after_id`, then `updated_at > t`.
    """
    if checkpoint.updated_at is None:
        yield from changed_pages(magento, stream, criteria, checkpoint.start,
                                 fields=fields, page_size=page_size)  # fmt: skip
        return
    same_second = (
        criteria.where("updated_at", checkpoint.updated_at, "eq")
        .where(stream.id_filter, checkpoint.after_id or 0, "gt")
        .order_by(stream.id_filter, "ASC")
    )
    yield from magento.search(stream.path, same_second, fields=fields, page_size=page_size)
    later = (
        criteria.where("updated_at", checkpoint.updated_at, "gt")
        .order_by("updated_at", "ASC")
        .order_by(stream.id_filter, "ASC")
    )
    yield from magento.search(stream.path, later, fields=fields, page_size=page_size)


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
