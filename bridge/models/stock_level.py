"""StockLevel: the quantity of one SKU at one Magento source that both sides last agreed on.

Stock has no fingerprinted Binding of its own: a quantity is one number per SKU and
source, so that number is kept here. It does two jobs:

- Odoo -> Magento skips a push whose quantity equals it: no Magento request for a
  change that moved nothing Magento shows (a reservation moved between two orders,
  an internal transfer inside one warehouse, our own count coming back).
- Magento -> Odoo skips a Magento quantity equal to it: that is our own write
  coming back (no echo).

`pending_count` is set while an inventory count Bridge made from a Magento quantity
waits for validation in Odoo (inventory auto-apply off): until then Odoo still holds
the old quantity, and pushing it would undo the Magento quantity the count came from.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, utcnow


class StockLevel(Base):
    __tablename__ = "stock_level"
    __table_args__ = (UniqueConstraint("connection_id", "sku", "source_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(255))
    source_code: Mapped[str] = mapped_column(String(255))
    #: Magento's quantity at the source: Odoo's free quantity at the mapped warehouse.
    quantity: Mapped[float]
    #: The on-hand quantity of a count Bridge left for validation in Odoo, if one waits.
    pending_count: Mapped[float | None]
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<StockLevel {self.sku}@{self.source_code} {self.quantity:g}>"
