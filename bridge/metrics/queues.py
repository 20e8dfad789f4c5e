"""Messages waiting per Celery queue, asked of the broker (Redis or the embedded one)."""

from __future__ import annotations

import logging

from celeryconfig import QUEUES

log = logging.getLogger(__name__)


def queue_depths() -> dict[str, int | None]:
    """Queue name -> messages waiting; None for all when the broker cannot be asked."""
    from workers.app import app

    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            channel = conn.default_channel
            # kombu's virtual channels (Redis, memory) count a queue with `_size`: the
            # messages in its list(s), zero for a queue no one declared yet.
            return {q: int(channel._size(q)) for q in QUEUES}
    except Exception as exc:  # noqa: BLE001 - a page or a scrape must not fail on it
        log.warning("queue depths unavailable: %s", exc)
        return dict.fromkeys(QUEUES)
