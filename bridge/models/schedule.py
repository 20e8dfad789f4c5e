"""Schedules (what beat runs, per connection) and cursors (how far a stream has read)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, Timestamps


class Schedule(Timestamps, Base):
    """A recurring job. Beat re-reads these rows on every tick, so edits need no restart."""

    __tablename__ = "schedule"
    __table_args__ = (
        UniqueConstraint("connection_id", "job"),
        CheckConstraint(
            "(interval_seconds IS NOT NULL) <> (crontab IS NOT NULL)", name="interval_xor_crontab"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for jobs that are not about one connection (the log purge).
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connection.id", ondelete="CASCADE")
    )
    job: Mapped[str] = mapped_column(String(64))
    interval_seconds: Mapped[int | None]
    #: Five fields, "minute hour day-of-month month day-of-week", in UTC.
    crontab: Mapped[str | None] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    next_run_at: Mapped[datetime | None]
    last_run_at: Mapped[datetime | None]


class Cursor(Timestamps, Base):
    """The last position read in one stream, e.g. the last Magento `updated_at` seen."""

    __tablename__ = "cursor"
    __table_args__ = (UniqueConstraint("connection_id", "stream"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(64))
    #: Long enough for an Adobe I/O Events journal position (an opaque token).
    value: Mapped[str | None] = mapped_column(String(1000))
