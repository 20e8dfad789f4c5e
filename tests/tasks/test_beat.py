"""Beat over the Schedule table: due jobs sent once, edits seen without restart, one instance."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bridge import db
from bridge.models import Schedule, SyncLog, utcnow
from bridge.sync import schedules
from tests.conftest import REPO
from workers.app import app
from workers.beat import DatabaseScheduler, run_due
from workers.locks import FileLock, RedisLock


def purge_logs_count() -> int:
    with db.session_scope() as s:
        return int(
            s.scalar(
                select(func.count(SyncLog.id)).where(SyncLog.entity == "maintenance.purge_logs")
            )
        )


def test_due_schedule_is_sent_once_and_moved_on(redis_url, pg_state_db, worker):
    with db.session_scope() as s:
        sched = schedules.set_schedule(s, "purge_logs", None, interval_seconds=3600)
        sched.next_run_at = utcnow() - timedelta(seconds=1)
    sent = run_due()
    assert len(sent) == 1
    assert run_due() == []  # not due again until an hour later
    with db.session_scope() as s:
        sched = s.scalars(select(Schedule)).one()
        assert sched.next_run_at > utcnow() + timedelta(minutes=59)
    from tasks.outbox import wait_for

    entry = wait_for(sent[0], 60)
    assert entry is not None and str(entry.state) == "done", worker.output()[-2000:]
    assert "purged" in entry.result


def test_crontab_next_run():
    sched = Schedule(job="purge_logs", crontab="17 3 * * *")
    start = utcnow().replace(hour=4, minute=0, second=0, microsecond=0)
    nxt = schedules.next_run(sched, start)
    assert (nxt.hour, nxt.minute) == (3, 17) and nxt.date() == (start + timedelta(days=1)).date()
    with pytest.raises(ValueError, match="five-field crontab"):
        schedules.parse_crontab("61 * * * *")


def test_only_one_scheduler_holds_the_lock(redis_url, pg_state_db):
    first, second = DatabaseScheduler(app=app), DatabaseScheduler(app=app)
    try:
        with db.session_scope() as s:
            sched = schedules.set_schedule(s, "purge_logs", None, interval_seconds=3600)
            sched.next_run_at = utcnow() - timedelta(seconds=1)
        second.lock.acquire()  # the other instance started first
        first.tick()
        assert purge_logs_count() == 0
        second.tick()
        assert purge_logs_count() == 1
    finally:
        first.close()
        second.close()


def test_redis_and_file_locks_exclude_each_other(redis_url, tmp_path):
    a, b = (
        RedisLock(redis_url, name="bridge:test:lock"),
        RedisLock(redis_url, name="bridge:test:lock"),
    )
    assert a.acquire() and not b.acquire()
    assert a.acquire()  # renewing a held lock
    a.release()
    assert b.acquire()
    b.release()
    f1, f2 = FileLock(tmp_path / "beat.lock"), FileLock(tmp_path / "beat.lock")
    assert f1.acquire() and not f2.acquire()
    f1.release()
    assert f2.acquire()
    f2.release()


def test_beat_process_picks_up_an_edited_schedule_without_restart(redis_url, pg_state_db, worker):
    with db.session_scope() as s:
        schedules.set_schedule(s, "purge_logs", None, interval_seconds=3600)
    log_path = REPO / ".pytest_cache" / "beat-test.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "wb") as out:
        beat = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.app",
                "beat",
                "-l",
                "INFO",
                "-s",
                str(log_path.with_suffix(".db")),
            ],  # fmt: skip
            cwd=REPO,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        time.sleep(3)
        assert purge_logs_count() == 0  # next run is an hour away
        with db.session_scope() as s:
            schedules.set_schedule(s, "purge_logs", None, interval_seconds=10)  # the minimum
        deadline = time.monotonic() + 45
        while purge_logs_count() < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert purge_logs_count() >= 2, log_path.read_text()[-2000:]
    finally:
        beat.terminate()
        beat.wait(timeout=20)
