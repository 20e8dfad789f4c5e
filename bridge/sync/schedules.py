"""Schedules: when a job is next due, which are due now, and the defaults every install has."""

from __future__ import annotations

from datetime import datetime, timedelta

from croniter import croniter
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bridge.models import Schedule, utcnow

#: Jobs every install runs, not tied to one connection: (job, interval, crontab).
GLOBAL_DEFAULTS: tuple[tuple[str, int | None, str | None], ...] = (
    ("purge_logs", None, "17 3 * * *"),  # daily, at a quiet minute
    ("reap_logs", 60, None),  # stuck logs sent again within minutes of a crash
)

#: The shortest interval a schedule may have: beat ticks every 5 s, and a job sent more
#: often than its run takes only piles up behind itself.
MIN_INTERVAL = 10


def parse_crontab(expr: str) -> str:
    """Five fields, as cron has them: minute hour day-of-month month day-of-week (UTC)."""
    if len(expr.split()) != 5 or not croniter.is_valid(expr):
        raise ValueError(f"not a five-field crontab: {expr!r}")
    return expr


def next_run(schedule: Schedule, after: datetime) -> datetime:
    if schedule.interval_seconds is not None:
        # A row written before the minimum was enforced still runs at most that often.
        return after + timedelta(seconds=max(schedule.interval_seconds, MIN_INTERVAL))
    assert schedule.crontab is not None
    return croniter(parse_crontab(schedule.crontab), after).get_next(datetime)


def due(session: Session, now: datetime) -> list[Schedule]:
    return list(
        session.scalars(
            select(Schedule)
            .where(
                Schedule.enabled.is_(True),
                or_(Schedule.next_run_at.is_(None), Schedule.next_run_at <= now),
            )
            .order_by(Schedule.id)
        )
    )


def seconds_to_next(session: Session, now: datetime, ceiling: float) -> float:
    nxt = session.scalars(
        select(Schedule.next_run_at)
        .where(Schedule.enabled.is_(True), Schedule.next_run_at.is_not(None))
        .order_by(Schedule.next_run_at)
        .limit(1)
    ).first()
    if nxt is None:
        return ceiling
    return max(0.1, min(ceiling, (nxt - now).total_seconds()))


#: Jobs every connection runs, by default: (job, interval seconds).
CONNECTION_DEFAULTS: tuple[tuple[str, int], ...] = (
    ("import_orders", 300),
    ("import_customers", 900),
    ("sync_fulfillment", 60),
    ("sync_products", 60),
    ("import_products", 300),
    ("sync_stock", 30),
    ("import_stock", 300),
)


def ensure_connection_defaults(session: Session, connection_id: int) -> None:
    """Give a new connection its default schedules (editable with `bridge schedule set`)."""
    for job, interval in CONNECTION_DEFAULTS:
        exists = session.scalars(
            select(Schedule).where(Schedule.connection_id == connection_id, Schedule.job == job)
        ).first()
        if exists is None:
            set_schedule(session, job, connection_id, interval_seconds=interval)


def ensure_defaults(session: Session) -> None:
    for job, interval, cron in GLOBAL_DEFAULTS:
        exists = session.scalars(
            select(Schedule).where(Schedule.connection_id.is_(None), Schedule.job == job)
        ).first()
        if exists is None:
            sched = Schedule(job=job, interval_seconds=interval, crontab=cron)
            sched.next_run_at = next_run(sched, utcnow())
            session.add(sched)


def set_schedule(
    session: Session,
    job: str,
    connection_id: int | None,
    *,
    interval_seconds: int | None = None,
    cron: str | None = None,
    enabled: bool = True,
) -> Schedule:
    """Create or change a schedule; beat sees it on its next tick."""
    if (interval_seconds is None) == (cron is None):
        raise ValueError("give either an interval or a crontab")
    if interval_seconds is not None and interval_seconds < MIN_INTERVAL:
        raise ValueError(f"--every: at least {MIN_INTERVAL} seconds (got {interval_seconds})")
    if cron is not None:
        parse_crontab(cron)
    sched = session.scalars(
        select(Schedule).where(Schedule.connection_id == connection_id, Schedule.job == job)
    ).first()
    if sched is None:
        sched = Schedule(job=job, connection_id=connection_id)
        session.add(sched)
    sched.interval_seconds = interval_seconds
    sched.crontab = cron
    sched.enabled = enabled
    sched.next_run_at = next_run(sched, utcnow())
    session.flush()
    return sched
