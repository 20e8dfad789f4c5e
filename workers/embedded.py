"""A worker inside the current process, for the demo's zero-setup run (embedded broker)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from celery import Celery
from celery.worker import WorkController


@contextmanager
def embedded_worker(app: Celery, queues: Iterable[str]) -> Iterator[WorkController]:
    """Consume `queues` in a background thread until the block ends."""
    worker = app.WorkController(
        pool="solo",
        concurrency=1,
        queues=list(queues),
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        loglevel="WARNING",
    )
    thread = threading.Thread(target=worker.start, name="embedded-worker", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop(in_sighandler=False)
        thread.join(timeout=10)
