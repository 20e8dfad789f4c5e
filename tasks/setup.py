"""Setup tasks: connection test and the setup imports, on the `setup` queue."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.errors import PermanentError
from bridge.models import Connection, SyncLog
from bridge.sync.check import check_connection
from bridge.sync.connections import magento_client, odoo_client
from bridge.sync.setup import IMPORTS, SetupContext
from tasks.base import run_log
from workers.app import app


def _connection(session: Session, entry: SyncLog) -> Connection:
    conn = session.get(Connection, entry.connection_id)
    if conn is None:
        raise PermanentError(f"connection {entry.connection_id} was deleted")
    return conn


def _import(session: Session, entry: SyncLog) -> dict[str, Any]:
    conn = _connection(session, entry)
    kind = (entry.payload or {}).get("import", "")
    if kind not in IMPORTS:
        raise PermanentError(f"unknown setup import {kind!r} (known: {', '.join(IMPORTS)})")
    ctx = SetupContext(session, conn, magento_client(conn), odoo_client(conn))
    return IMPORTS[kind](ctx)


def _check(session: Session, entry: SyncLog) -> dict[str, Any]:
    conn = _connection(session, entry)
    return check_connection(magento_client(conn), odoo_client(conn))


@app.task(bind=True, name="tasks.setup.run_import")
def run_import(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _import)


@app.task(bind=True, name="tasks.setup.test_connection")
def test_connection(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _check)
