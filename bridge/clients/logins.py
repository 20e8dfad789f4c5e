"""Logins kept per worker process: one Odoo login and one Magento admin token per credentials.

Why: every task builds its clients afresh, and a real Odoo 18 spends ~0.9 s hashing the
password on `common.authenticate` (Magento issues a token per `integration/admin/token`
call). Kept here, a worker logs in once per connection and reuses the uid or token across
tasks and threads; a client that meets a refused session (expired token, changed password,
revoked key) forgets the entry and logs in again once.

Entries are keyed by a digest of the address and the credentials themselves, so a changed
password or a key rotated in Bridge never reuses an old login, and no secret is kept in
clear as a key. A forked worker child starts with its parent's entries (still valid) and
a fresh lock.
"""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Generic, TypeVar

T = TypeVar("T")


def login_key(*parts: object) -> str:
    """A digest of what identifies one login (URL, database, user, secret)."""
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()


class LoginCache(Generic[T]):
    """A small thread-safe map from login key to what the login gave (a uid, a token)."""

    def __init__(self) -> None:
        self._values: dict[str, T] = {}
        self._lock = threading.Lock()
        #: Logins made through this cache in this process since it was last cleared
        #: (benchmarks and tests read it).
        self.logins = 0
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        self._lock = threading.Lock()

    def get(self, key: str) -> T | None:
        with self._lock:
            return self._values.get(key)

    def put(self, key: str, value: T) -> None:
        with self._lock:
            self._values[key] = value
            self.logins += 1

    def forget(self, key: str, value: T) -> None:
        """Drop the entry if it still holds `value` (another thread may have renewed it)."""
        with self._lock:
            if self._values.get(key) == value:
                del self._values[key]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self.logins = 0


#: (url, db, login, secret) -> Odoo uid
ODOO_UIDS: LoginCache[int] = LoginCache()
#: url -> Odoo's common.version answer (decides the protocol; asked once per process)
ODOO_VERSIONS: LoginCache[dict] = LoginCache()
#: (url, username, password) -> Magento admin token
MAGENTO_TOKENS: LoginCache[str] = LoginCache()
