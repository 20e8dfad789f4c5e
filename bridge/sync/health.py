"""Sync health per connection, read from the state DB: what the console's Health page shows.

Per connection: the last successful run of each scheduled job, logs done / failed /
stuck in the last 24 h, the oldest stuck log, the next scheduled runs, and the latest
connection test. Queue depths come from the broker (`bridge.metrics.queues`), not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.models import Connection, LogState, Schedule, SyncLog, utcnow
from bridge.sync.log_filter import STUCK_AFTER, stuck_clause

CHECK_ENTITY = "setup.connection_test"
WINDOW = timedelta(hours=24)


@dataclass
class JobRun:
    job: str
    entity: str
    last_done: datetime | None
    every: str
    next_run: datetime | None
    enabled: bool


@dataclass
class ConnectionHealth:
    id: int
    name: str
    magento_url: str
    odoo_url: str
    done_24h: int = 0
    failed_24h: int = 0
    stuck: int = 0
    oldest_stuck: SyncLog | None = None
    jobs: list[JobRun] = field(default_factory=list)
    check: SyncLog | None = None

    @property
    def status(self) -> str:
        """ok, warning (failures or stuck logs in the window) or down (the last test failed)."""
        if self.check is not None and self.check.state is LogState.FAILED:
            return "down"
        return "warning" if self.failed_24h or self.stuck else "ok"


def _every(schedule: Schedule) -> str:
    if schedule.interval_seconds is not None:
        seconds = schedule.interval_seconds
        return f"every {seconds // 60} min" if seconds % 60 == 0 else f"every {seconds} s"
    return f"cron {schedule.crontab}"


def connection_health(
    session: Session, job_entities: dict[str, str], now: datetime | None = None
) -> list[ConnectionHealth]:
    """Every connection's health; `job_entities` maps scheduled job names to log entities."""
    now = now or utcnow()
    out = []
    for conn in session.scalars(select(Connection).order_by(Connection.name)):
        health = ConnectionHealth(conn.id, conn.name, conn.channel.magento_url, conn.odoo_url)
        counts = dict(
            session.execute(
                select(SyncLog.state, func.count())
                .where(SyncLog.connection_id == conn.id, SyncLog.updated_at >= now - WINDOW)
                .group_by(SyncLog.state)
            ).all()
        )
        health.done_24h = int(counts.get(LogState.DONE, 0))
        health.failed_24h = int(counts.get(LogState.FAILED, 0))
        stuck = select(SyncLog).where(
            SyncLog.connection_id == conn.id,
            stuck_clause(STUCK_AFTER, STUCK_AFTER, now),
        )
        health.stuck = int(session.scalar(select(func.count()).select_from(stuck.subquery())) or 0)
        health.oldest_stuck = session.scalars(stuck.order_by(SyncLog.updated_at).limit(1)).first()
        last_done = dict(
            session.execute(
                select(SyncLog.entity, func.max(SyncLog.finished_at))
                .where(SyncLog.connection_id == conn.id, SyncLog.state == LogState.DONE)
                .group_by(SyncLog.entity)
            ).all()
        )
        schedules = session.scalars(
            select(Schedule).where(Schedule.connection_id == conn.id).order_by(Schedule.job)
        )
        for schedule in schedules:
            entity = job_entities.get(schedule.job, schedule.job)
            health.jobs.append(
                JobRun(
                    schedule.job,
                    entity,
                    last_done.get(entity),
                    _every(schedule),
                    schedule.next_run_at,
                    schedule.enabled,
                )
            )
        health.check = session.scalars(
            select(SyncLog)
            .where(SyncLog.connection_id == conn.id, SyncLog.entity == CHECK_ENTITY)
            .order_by(SyncLog.id.desc())
            .limit(1)
        ).first()
        out.append(health)
    return out


def check_summary(check: SyncLog | None) -> dict[str, Any]:
    """The latest connection test as the page shows it."""
    if check is None:
        return {"state": "never run", "text": "no connection test yet"}
    if check.state is LogState.DONE:
        result = check.result or {}
        odoo = result.get("odoo") or {}
        text = f"Magento and Odoo {odoo.get('server_version', '')} answered".strip()
        return {"state": "ok", "text": text, "at": check.finished_at}
    if check.state is LogState.FAILED:
        return {"state": "failed", "text": check.reason or "", "at": check.finished_at}
    return {"state": str(check.state), "text": "running", "at": check.updated_at}
