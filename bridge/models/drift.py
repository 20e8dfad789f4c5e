"""DriftItem: one place where Magento and Odoo disagree, found by a drift report.

A report is a SyncLog (entity `drift`): its run, state and counts live there, and its
items here, so the console can page through thousands of them and a repair queues the
normal sync for exactly these records. Items go when their report's log is purged.

`magento_value` / `odoo_value` are what each side held when the report read it (text:
a quantity, a price, an order state; None = the side has no such record); `truth` is the
side whose value should win, and `repair_log_id` the log of the sync queued to fix it.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bridge.models.base import Base, Timestamps


class DriftItem(Timestamps, Base):
    __tablename__ = "drift_item"
    __table_args__ = (Index("ix_drift_item_log_kind", "log_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("sync_log.id", ondelete="CASCADE"))
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"))
    #: stock, price, order_missing_odoo, order_missing_magento, order_state
    kind: Mapped[str] = mapped_column(String(32))
    #: SKU or order increment id.
    key: Mapped[str] = mapped_column(String(255))
    #: The Magento source of a stock item, else empty.
    scope: Mapped[str] = mapped_column(String(255), default="")
    magento_value: Mapped[str | None] = mapped_column(String(255))
    odoo_value: Mapped[str | None] = mapped_column(String(255))
    #: "magento" or "odoo": the side whose value should win.
    truth: Mapped[str] = mapped_column(String(16))
    #: Why that side, or why no repair is possible.
    note: Mapped[str | None] = mapped_column(Text)
    #: Odoo ids a repair needs (product.product, product.template, sale.order).
    odoo_id: Mapped[int | None]
    odoo_template_id: Mapped[int | None]
    repairable: Mapped[bool] = mapped_column(default=True)
    repair_log_id: Mapped[int | None]

    def __repr__(self) -> str:
        sides = f"M={self.magento_value} O={self.odoo_value}"
        return f"<DriftItem {self.kind} {self.key}@{self.scope} {sides}>"
