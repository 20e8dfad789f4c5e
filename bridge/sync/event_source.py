"""A connection's event source: who signs Magento's events, and the I/O Events journal.

`EventSettings` is what `Connection.event_settings` holds for each source:

- `io_events`: `client_id` (the Developer Console project's; every event's
  `recipient_client_id` must equal it), `keys_url` (where the public keys are served,
  Adobe's static domain unless a test points elsewhere), and for the journal
  `journal_url`, `ims_url`, `scopes`, with the client secret encrypted on the connection.
- `commerce_webhooks`: `public_key`, the PEM the Magento admin shows.
- `bridge`: nothing; the channel's webhook secret signs (`bridge.events.signature`).

`consume_journal` reads the journal from the position saved in cursor `io_events.journal`
and hands each event to `take` (the task's: receipt, order check, queue), so an event the
webhook already delivered is a duplicate here and one it missed is taken now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.adobe_journal import ADOBE_IMS_URL, DEFAULT_SCOPES, JournalClient
from bridge.crypto import decrypt, encrypt
from bridge.models import Connection, Cursor, EventSource, Schedule
from bridge.sync.connections import get_connection
from bridge.sync.schedules import set_schedule

ADOBE_KEYS_URL = "https://static.adobeioevents.com"
JOURNAL_STREAM = "io_events.journal"
#: Pages of the journal one run reads at most; the next run goes on from there.
JOURNAL_PAGES = 20
JOURNAL_LIMIT = 100
#: How often beat reads the journal once a connection has one (`bridge schedule set
#: pull_journal` changes it): the webhook brings events in seconds; the journal is the net.
JOURNAL_INTERVAL_S = 60


@dataclass(frozen=True)
class EventSettings:
    client_id: str | None = None
    keys_url: str = ADOBE_KEYS_URL
    journal_url: str | None = None
    ims_url: str = ADOBE_IMS_URL
    scopes: str = DEFAULT_SCOPES
    public_key: str | None = None

    @classmethod
    def of(cls, conn: Connection) -> EventSettings:
        known = cls.__dataclass_fields__
        stored = {k: v for k, v in (conn.event_settings or {}).items() if k in known and v}
        return cls(**stored)


def set_event_source(
    session: Session,
    name: str,
    source: EventSource,
    client_secret: str | None = None,
    **settings: Any,
) -> Connection:
    """Choose the source; settings given (not None) replace the stored ones."""
    conn = get_connection(session, name)
    merged = {**(conn.event_settings or {}), **{k: v for k, v in settings.items() if v}}
    conn.event_settings = asdict(EventSettings(**merged))
    conn.event_source = source
    if client_secret:
        conn.event_secret_enc = encrypt(client_secret)
    journal = source is EventSource.IO_EVENTS and bool(conn.event_settings.get("journal_url"))
    existing = session.query(Schedule).filter_by(connection_id=conn.id, job="pull_journal").first()
    if journal and existing is None:
        set_schedule(session, "pull_journal", conn.id, interval_seconds=JOURNAL_INTERVAL_S)
    elif existing is not None:
        existing.enabled = journal
    return conn


def journal_client(conn: Connection) -> JournalClient | None:
    """The journal of an I/O Events connection that has one configured, else None."""
    settings = EventSettings.of(conn)
    if conn.event_source is not EventSource.IO_EVENTS or not settings.journal_url:
        return None
    return JournalClient(
        settings.journal_url,
        settings.client_id or "",
        decrypt(conn.event_secret_enc) or "",
        ims_url=settings.ims_url,
        scopes=settings.scopes,
    )


def _cursor(session: Session, conn_id: int) -> Cursor:
    cursor = session.query(Cursor).filter_by(connection_id=conn_id, stream=JOURNAL_STREAM).first()
    if cursor is None:
        cursor = Cursor(connection_id=conn_id, stream=JOURNAL_STREAM, value=None)
        session.add(cursor)
    return cursor


def consume_journal(
    session: Session,
    conn_id: int,
    client: JournalClient,
    take: Callable[[list[Any]], list[str]],
    pages: int = JOURNAL_PAGES,
) -> dict[str, Any]:
    """Read up to `pages` pages from the saved position; `take(events)` names each outcome.

    The position moves past a page only after `take` returned (its receipts are
    committed by then), so a run that dies re-reads events already taken: duplicates.
    """
    cursor = _cursor(session, conn_id)
    start = cursor.value
    outcomes: dict[str, int] = {}
    read = 0
    for _ in range(pages):
        page = client.read(cursor.value, JOURNAL_LIMIT)
        for outcome in take([event for _, event in page.events]) if page.events else []:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        read += len(page.events)
        if page.last:
            cursor.value = page.last
        if len(page.events) < JOURNAL_LIMIT:
            break
    session.flush()
    return {"read": read, "from": start, "position": cursor.value, "outcomes": outcomes}
