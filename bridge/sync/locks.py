"""Row-level "lockers" for keys two workers may handle at once (a customer on two pages).

On PostgreSQL each key takes a transaction-scoped advisory lock, taken in sorted
order so two pages never wait on each other in a circle; the lock is released when
the page commits, and whoever waited then sees the other's bindings. SQLite lets one
writer at a time anyway, so there is nothing to take there.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_keys(session: Session, scope: str, keys: Iterable[str]) -> None:
    """Hold these keys until the session's transaction ends."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"{scope}:{key}"},
        )
