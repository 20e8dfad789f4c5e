"""Beat that reads its schedule from the database: `celery -A workers.app beat`.

Every tick reads the Schedule rows, so schedules added or edited (CLI, another
host) take effect without a restart. Only the instance holding the lock sends
anything; a second beat waits as a standby.

Beat outlives outages: a broker or state database that cannot be reached makes a
tick log a warning and try again on the next one (the lock is simply not held while
Redis is away), never exit. Jobs named in `IN_BEAT` run in beat itself rather than
as a task: the reaper (`reap_logs`, every minute by default), which sends again the
logs with nothing alive behind them, must work when workers or queues do not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import redis
from celery.beat import Scheduler

from bridge.db import DB_UNAVAILABLE, session_scope
from bridge.models import utcnow
from bridge.settings import get_settings
from bridge.sync import schedules
from tasks import operations
from tasks.dispatch import JOBS, REAP_JOB
from tasks.outbox import BrokerUnavailable, enqueue
from workers.locks import SingletonLock, beat_lock

log = logging.getLogger(__name__)


def reap() -> None:
    """Send again the logs stuck queued or running (`operations.requeue_stuck`)."""
    for outcome in operations.requeue_stuck():
        if outcome.error:
            log.warning("reaper: log %s: %s", outcome.log_id, outcome.error)
        else:
            log.warning("reaper: stuck log %s sent again as log %s", outcome.log_id,
                        outcome.new_log_id)  # fmt: skip


#: Scheduled jobs beat runs itself, by name (no task, no log).
IN_BEAT: dict[str, Callable[[], None]] = {REAP_JOB: reap}


def run_due(now: Any = None) -> list[int]:
    """Send every due job once and move its next run on; returns the new log ids."""
    now = now or utcnow()
    sent: list[int] = []
    local: list[str] = []
    with session_scope() as session:
        for sched in schedules.due(session, now):
            job = JOBS.get(sched.job)
            sched.last_run_at = now
            sched.next_run_at = schedules.next_run(sched, now)
            if sched.job in IN_BEAT:
                local.append(sched.job)
                continue
            if job is None:
                log.error("schedule %s names unknown job %r; skipped", sched.id, sched.job)
                continue
            try:
                sent.append(enqueue(job, sched.connection_id))
            except BrokerUnavailable as exc:
                log.error("schedule %s: %s", sched.id, exc)
    for name in local:
        try:
            IN_BEAT[name]()
        except (BrokerUnavailable, *DB_UNAVAILABLE) as exc:
            log.warning("%s: %s; again at its next run", name, exc)
    return sent


class DatabaseScheduler(Scheduler):
    """A Celery beat scheduler over the Schedule table, one instance at a time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        settings = get_settings()
        self.lock: SingletonLock = beat_lock(settings.broker_url, settings.data_dir)
        self._defaults_ready = False
        super().__init__(*args, **kwargs)

    def setup_schedule(self) -> None:
        self._ensure_defaults()

    def _ensure_defaults(self) -> None:
        if self._defaults_ready:
            return
        try:
            with session_scope() as session:
                schedules.ensure_defaults(session)
            self._defaults_ready = True
        except DB_UNAVAILABLE as exc:
            log.warning("beat: the state database cannot be reached (%s); waiting", exc)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        wait = float(self.max_interval)
        try:
            if not self.lock.acquire():
                return wait
            self._ensure_defaults()
            run_due()
            with session_scope() as session:
                return schedules.seconds_to_next(session, utcnow(), wait)
        except (redis.exceptions.RedisError, *DB_UNAVAILABLE) as exc:
            log.warning("beat: %s; trying again in %.0fs", exc, wait)
            return wait

    def close(self) -> None:
        self.lock.release()
        super().close()
