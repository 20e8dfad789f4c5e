"""A lock that keeps beat to one running instance.

With a Redis broker the lock is a Redis key with a time-to-live, renewed on every
tick, so a beat that dies frees it within `ttl` seconds. Without Redis (the demo's
embedded broker) it is an exclusive file lock, freed when the process exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

import redis

log = logging.getLogger(__name__)


class SingletonLock(Protocol):
    def acquire(self) -> bool: ...
    def release(self) -> None: ...


class RedisLock:
    def __init__(self, url: str, name: str = "bridge:beat:lock", ttl: int = 30) -> None:
        # Timeouts: a Redis that stopped answering must not hang beat's loop.
        self._client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        self._lock = self._client.lock(name, timeout=ttl, blocking=False)
        self._held = False

    def acquire(self) -> bool:
        """Take the lock, or renew it when held; False while another instance has it, or
        while Redis cannot be reached (nothing can be sent then anyway): beat waits and
        asks again on its next tick instead of exiting."""
        try:
            if self._held:
                try:
                    self._lock.reacquire()
                    return True
                except redis.exceptions.LockError:
                    self._held = False  # expired or lost (a Redis restarted empty)
            self._held = bool(self._lock.acquire(blocking=False))
        except redis.exceptions.RedisError as exc:
            log.warning("beat lock: Redis cannot be reached (%s); waiting for it", exc)
            self._held = False
        return self._held

    def release(self) -> None:
        if self._held:
            with contextlib.suppress(redis.exceptions.RedisError):
                self._lock.release()
            self._held = False


class FileLock:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def beat_lock(broker_url: str, data_dir: Path) -> SingletonLock:
    if broker_url.startswith(("redis://", "rediss://")):
        return RedisLock(broker_url)
    return FileLock(data_dir / "beat.lock")
