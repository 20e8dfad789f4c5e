"""Beat that reads its schedule from the database: `celery -A workers.app beat`.

Every tick reads the Schedule rows, so schedules added or edited (CLI, another
host) take effect without a restart. Only the instance holding the lock sends
anything; a second beat waits as a standby.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.beat import Scheduler

from bridge.db import session_scope
from bridge.models import utcnow
from bridge.settings import get_settings
from bridge.sync import schedules
from tasks.dispatch import JOBS
from tasks.outbox import BrokerUnavailable, enqueue
from workers.locks import SingletonLock, beat_lock

log = logging.getLogger(__name__)


def run_due(now: Any = None) -> list[int]:
    """Send every due job once and move its next run on; returns the new log ids."""
    now = now or utcnow()
    sent: list[int] = []
    with session_scope() as session:
        for sched in schedules.due(session, now):
            job = JOBS.get(sched.job)
            sched.last_run_at = now
            sched.next_run_at = schedules.next_run(sched, now)
            if job is None:
                log.error("schedule %s names unknown job %r; skipped", sched.id, sched.job)
                continue
            try:
                sent.append(enqueue(job, sched.connection_id))
            except BrokerUnavailable as exc:
                log.error("schedule %s: %s", sched.id, exc)
    return sent


class DatabaseScheduler(Scheduler):
    """A Celery beat scheduler over the Schedule table, one instance at a time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        settings = get_settings()
        self.lock: SingletonLock = beat_lock(settings.broker_url, settings.data_dir)
        super().__init__(*args, **kwargs)

    def setup_schedule(self) -> None:
        with session_scope() as session:
            schedules.ensure_defaults(session)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.lock.acquire():
            return float(self.max_interval)
        run_due()
        with session_scope() as session:
            return schedules.seconds_to_next(session, utcnow(), float(self.max_interval))

    def close(self) -> None:
        self.lock.release()
        super().close()
