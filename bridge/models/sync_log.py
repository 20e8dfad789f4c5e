"""SyncLog: the outbox and the audit trail. Every unit of work is one row.

    draft ─> queued ─> running ─> done
                          │  ^
                          │  └── (retryable error: back to queued with a countdown)
                          └────> failed  (reason a person can act on; raw payload kept)
                                   └───> superseded  (a later run of the same work succeeded,
                                                      or a page handed its records on)

A running log's `heartbeat_at` is refreshed by the task running it; a queued one's says
when its message is due (now, or after a retry countdown). The reaper sends again only
logs whose `heartbeat_at` is old: no live task stands behind them.

A change to an entity whose log is still `draft` updates that log (coalescing):
the partial unique index below allows one draft per connection, entity,
direction and key.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, JSONType, Timestamps, str_enum


class LogState(enum.StrEnum):
    DRAFT = "draft"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    #: Final: the work this failed log stood for was done by a later log (a retry, a
    #: later pull), or a page failed and handed its records to smaller pages.
    SUPERSEDED = "superseded"


class Direction(enum.StrEnum):
    MAGENTO_TO_ODOO = "magento_to_odoo"
    ODOO_TO_MAGENTO = "odoo_to_magento"
    BOTH = "both"  # checks and maintenance that touch both sides or neither


class SyncLog(Timestamps, Base):
    __tablename__ = "sync_log"
    __table_args__ = (
        Index("ix_sync_log_connection_state_created", "connection_id", "state", "created_at"),
        Index(
            "uq_sync_log_one_draft",
            "connection_id",
            "entity",
            "direction",
            "key",
            unique=True,
            sqlite_where=text("state = 'draft'"),
            postgresql_where=text("state = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connection.id", ondelete="CASCADE")
    )
    entity: Mapped[str] = mapped_column(String(64))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, 20))
    key: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    state: Mapped[LogState] = mapped_column(
        str_enum(LogState, 16),
        default=LogState.DRAFT,
    )
    reason: Mapped[str | None] = mapped_column(Text)
    #: What the work did, for people and the CLI (counts, Odoo ids).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    attempts: Mapped[int] = mapped_column(default=0)
    task_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None]
    #: Running: the last heartbeat of the task that claimed it. Queued: when its message
    #: is due. Older than the reaper's threshold = nothing alive stands behind the log.
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<SyncLog {self.id} {self.entity} {self.key} {self.state}>"
