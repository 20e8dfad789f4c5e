"""The I/O Events journal consumer: a beat job per connection (`pull_journal`).

Events Adobe could not deliver (the endpoint was down, a delivery was lost) are still in
the registration's journal for seven days. Each run reads on from the saved position and
takes every event as a webhook delivery is taken (`tasks/events.py::take`), so what the
webhook already brought is a duplicate here. A connection with another source, or
without a journal URL, has nothing to read. An event that cannot be read becomes a
failed `event` log holding it; the journal goes on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.mappers.errors import MappingError
from bridge.mappers.events import cloud_event
from bridge.models import Connection, SyncLog
from bridge.sync.event_source import consume_journal, journal_client
from tasks.base import run_log
from workers.app import app

ENTITY = "events.journal"


def _pull(session: Session, entry: SyncLog) -> dict[str, Any]:
    # tasks.events imports dispatch, which names this task
    from tasks.events import keep_unreadable, take_all

    conn = session.get(Connection, entry.connection_id)
    client = journal_client(conn) if conn is not None else None
    if client is None:
        return {"read": 0, "summary": "no I/O Events journal configured"}
    conn_id = conn.id

    def take_page(raws: list[Any]) -> list[str]:
        events, outcomes = [], []
        for raw in raws:
            try:
                events.append(cloud_event(raw))
            except MappingError as exc:
                keep_unreadable(session, conn_id, raw, f"unreadable journal event: {exc}")
                outcomes.append("unreadable")
        return outcomes + [taken.outcome for taken in take_all(conn_id, events)]

    result = consume_journal(session, conn_id, client, take_page)
    result["summary"] = f"{result['read']} journal event(s): {result['outcomes'] or 'none new'}"
    return result


@app.task(bind=True, name="tasks.setup.pull_journal")
def pull_journal(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _pull)
