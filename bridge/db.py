"""Engine, sessions and schema migrations for the state database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bridge.settings import get_settings, normalize_db_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: The state database cannot answer now: down, restarting, a dropped connection, a lock or
#: serialization failure. Work that meets one is retried, never recorded as failed.
DB_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL + busy timeout: the CLI, a worker and beat share one SQLite file.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    url = normalize_db_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return engine_for(get_settings().db_url)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    url = normalize_db_url(url or get_settings().db_url)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def reset_engines() -> None:
    """Drop cached engines (after the database URL changed)."""
    for engine in list(_cached_engines()):
        engine.dispose()
    engine_for.cache_clear()


def _cached_engines() -> Iterator[Engine]:
    # lru_cache keeps no public view of its values; the settings' URL is the only one in use.
    try:
        yield engine_for(get_settings().db_url)
    except Exception:  # noqa: BLE001 - a broken URL has nothing to dispose
        return
