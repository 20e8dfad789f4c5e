"""Binding: who is who. One Magento key on one side, one Odoo id on the other.

Unique per connection + entity on both sides, so a redelivered task can never
bind a second Odoo record to the same Magento record (or the reverse). The
fingerprint is a hash of the values last synced, as Odoo holds them: a change that
matches it is our own write coming back (echo) and is skipped. Where Odoo rewrites what
it is sent (it sanitises html: a product's description), `magento_fingerprint` keeps the
hash of the values as Magento holds them, which the Magento -> Odoo side compares with.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, Timestamps, utcnow


class Binding(Timestamps, Base):
    __tablename__ = "binding"
    __table_args__ = (
        UniqueConstraint("connection_id", "entity", "magento_key"),
        UniqueConstraint("connection_id", "entity", "odoo_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(64))
    magento_key: Mapped[str] = mapped_column(String(255))
    odoo_model: Mapped[str] = mapped_column(String(128))
    odoo_id: Mapped[int]
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    #: The values as Magento holds them, when they differ from Odoo's (None: the same).
    magento_fingerprint: Mapped[str | None] = mapped_column(String(64))
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Binding {self.entity} {self.magento_key} <-> {self.odoo_model}({self.odoo_id})>"
