"""Event receipts: the ids of webhook deliveries already taken, so a duplicate has no effect."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, Timestamps


class EventReceipt(Timestamps, Base):
    __tablename__ = "event_receipt"
    __table_args__ = (UniqueConstraint("connection_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(255))
    #: The log the event started (None when the event needed nothing).
    log_id: Mapped[int | None]
