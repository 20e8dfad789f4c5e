"""Maintenance tasks, on the `maintenance` queue: the log purge."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bridge.models import SyncLog
from bridge.sync.maintenance import purge_logs
from tasks.base import run_log
from workers.app import app


def _purge(session: Session, entry: SyncLog) -> dict[str, Any]:
    return {"purged": purge_logs(session)}


@app.task(bind=True, name="tasks.maintenance.purge_logs")
def purge(self: Any, log_id: int) -> str:
    return run_log(self, log_id, _purge)
