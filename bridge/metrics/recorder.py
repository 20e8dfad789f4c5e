"""Counting what workers do, where `bridge serve`'s /metrics can read it.

Workers, beat and `bridge serve` are separate processes (often separate containers),
so an in-process Prometheus registry in the worker would be invisible to the endpoint.
The counts go to the Redis the processes already share (the broker), as hashes
incremented with HINCRBYFLOAT: a counter per label set, and per histogram a count per
bucket plus sum and count. Observations are buffered in the process and flushed every
`FLUSH_S` seconds by a daemon thread (and at exit), so a remote call costs no Redis
round trip. With a non-Redis broker (the demo's embedded one, where everything runs in
one process) the counts stay in this process's memory.

Losing a few seconds of counts when a worker is killed is accepted: these are
monitoring figures; the sync logs stay the record of what happened.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import time
from collections import defaultdict
from typing import Any

from bridge.settings import get_settings

log = logging.getLogger(__name__)

PREFIX = "bridge:metrics:"
FLUSH_S = 2.0
#: Seconds: a record's sync (change recorded -> written on the other side).
SYNC_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
#: Seconds: one remote call.
CALL_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

Labels = tuple[str, ...]


class _Memory:
    """The store of a process that serves its own metrics (the embedded demo)."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.lock = threading.Lock()

    def add(self, batch: dict[tuple[str, str], float]) -> None:
        with self.lock:
            for (key, fld), value in batch.items():
                self.data[key][fld] += value

    def read(self, key: str) -> dict[str, float]:
        with self.lock:
            return dict(self.data.get(key, {}))


class _Redis:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def add(self, batch: dict[tuple[str, str], float]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for (key, fld), value in batch.items():
            pipe.hincrbyfloat(key, fld, value)
        pipe.execute()

    def read(self, key: str) -> dict[str, float]:
        raw = self.client.hgetall(key)
        return {k.decode(): float(v) for k, v in raw.items()}


class Recorder:
    def __init__(self) -> None:
        self._pending: dict[tuple[str, str], float] = defaultdict(float)
        self._lock = threading.Lock()
        self._store: _Memory | _Redis | None = None
        self._url: str | None = None
        self._pid: int | None = None

    # -- writing ----------------------------------------------------------------------------

    def inc(self, metric: str, labels: Labels, value: float = 1.0) -> None:
        self._add({(PREFIX + metric, json.dumps(labels)): value})

    def observe(self, metric: str, labels: Labels, seconds: float, buckets: tuple) -> None:
        le = next((b for b in buckets if seconds <= b), "+Inf")
        self._add({
            (f"{PREFIX}{metric}:bucket", json.dumps([*labels, str(le)])): 1.0,
            (f"{PREFIX}{metric}:sum", json.dumps(labels)): seconds,
            (f"{PREFIX}{metric}:count", json.dumps(labels)): 1.0,
        })  # fmt: skip

    def _add(self, batch: dict[tuple[str, str], float]) -> None:
        store = self.store()
        if isinstance(store, _Memory):
            store.add(batch)
            return
        with self._lock:
            for k, v in batch.items():
                self._pending[k] += v
        self._ensure_flusher()

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = dict(self._pending), defaultdict(float)
        if not batch:
            return
        try:
            self.store().add(batch)
        except Exception as exc:  # noqa: BLE001 - metrics never break the sync
            log.warning("metrics not flushed (%d values dropped): %s", len(batch), exc)

    # -- reading ----------------------------------------------------------------------------

    def read(self, metric: str) -> dict[Labels, float]:
        return {tuple(json.loads(k)): v for k, v in self.store().read(PREFIX + metric).items()}

    # -- plumbing ---------------------------------------------------------------------------

    def store(self) -> _Memory | _Redis:
        url = get_settings().broker_url
        if self._store is None or url != self._url:
            self._url = url
            self._store = _Redis(url) if url.startswith(("redis://", "rediss://")) else _Memory()
        return self._store

    def _ensure_flusher(self) -> None:
        # After a fork (prefork pool) the parent's thread is not in the child: start one.
        if self._pid == os.getpid():
            return
        self._pid = os.getpid()
        thread = threading.Thread(target=self._loop, name="metrics-flush", daemon=True)
        thread.start()
        atexit.register(self.flush)

    def _loop(self) -> None:
        while True:
            time.sleep(FLUSH_S)
            self.flush()


RECORDER = Recorder()


def read_histogram(metric: str) -> dict[Labels, dict[str, Any]]:
    """Labels -> {"buckets": {le: count}, "sum": s, "count": n} (per-bucket, not cumulative)."""
    out: dict[Labels, dict[str, Any]] = {}
    for labels, value in RECORDER.read(f"{metric}:bucket").items():
        entry = out.setdefault(labels[:-1], {"buckets": {}, "sum": 0.0, "count": 0.0})
        entry["buckets"][labels[-1]] = value
    for labels, value in RECORDER.read(f"{metric}:sum").items():
        out.setdefault(labels, {"buckets": {}, "sum": 0.0, "count": 0.0})["sum"] = value
    for labels, value in RECORDER.read(f"{metric}:count").items():
        out.setdefault(labels, {"buckets": {}, "sum": 0.0, "count": 0.0})["count"] = value
    return out
