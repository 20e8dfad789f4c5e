"""Event receipts: the ids of events already taken, so a duplicate has no effect.

One row per event id and connection, whichever way the event came (a webhook
delivery, a batch, the I/O Events journal). `entity_key` and `source_updated_at`
(Magento's `updated_at` of the record the event names) let a later event that is
older than one already applied be recorded and skipped: Adobe delivers at least
once and in no promised order.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, Timestamps


class EventReceipt(Timestamps, Base):
    __tablename__ = "event_receipt"
    __table_args__ = (
        UniqueConstraint("connection_id", "event_id"),
        Index("ix_event_receipt_entity_key", "connection_id", "entity_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(255))
    #: The log the event started (None when the event needed nothing).
    log_id: Mapped[int | None]
    #: "<entity>:<key>" of the record the event names, e.g. "order:000000014".
    entity_key: Mapped[str | None] = mapped_column(String(300))
    #: The record's `updated_at` as Magento wrote it ("YYYY-MM-DD HH:MM:SS", sortable).
    source_updated_at: Mapped[str | None] = mapped_column(String(32))
    #: What was done: "queued", "ignored", or why it was skipped.
    outcome: Mapped[str | None] = mapped_column(String(300))
