"""Repairing drift: which normal sync fixes each difference, and the state it needs first.

No separate write path: a repair is the same job the schedule or an event would run,
limited to the records that drifted. Where Bridge's own record of "what both sides
agreed on" hides the difference from that job, the record is corrected to what the
report saw, so the job writes:

- stock, Odoo right: the agreed level becomes Magento's quantity, then a stock push of
  those products (it sends what differs from the level);
- stock, Magento right: a stock pull of those SKUs (Magento's quantity differs from the
  level, so it is counted into Odoo);
- prices: the template binding's fingerprint is cleared (the export and the import skip
  a product whose fingerprint did not change), then the Odoo -> Magento export of those
  templates, or the Magento -> Odoo import of those SKUs;
- orders missing in Odoo, or canceled in Magento only: a targeted order pull;
- orders whose shipment, invoice or cancellation did not reach Magento: a fulfillment
  poll of those orders, and a retry of their failed fulfillment logs (a change a log
  already ran for is not queued again by the poll).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bridge.models import Binding, DriftItem, LogState, SyncLog
from bridge.sync.drift import orders, prices, stock


@dataclass
class RepairPlan:
    """What to queue, and which drift items each job repairs."""

    stock_push: dict[int, list[int]] = field(default_factory=dict)  # product id -> items
    stock_pull: dict[str, list[int]] = field(default_factory=dict)  # SKU -> items
    product_export: dict[int, list[int]] = field(default_factory=dict)  # template -> items
    product_import: dict[str, list[int]] = field(default_factory=dict)  # SKU -> items
    order_pull: dict[str, list[int]] = field(default_factory=dict)  # increment id -> items
    fulfillment: dict[int, list[int]] = field(default_factory=dict)  # sale.order -> items
    #: Failed fulfillment logs of those orders, to retry.
    failed_fulfillment: dict[int, list[int]] = field(default_factory=dict)  # log -> items

    def is_empty(self) -> bool:
        return not any(vars(self).values())


def pending_items(
    session: Session, log_id: int, item_ids: list[int] | None = None
) -> list[DriftItem]:
    """The repairable items of a report not repaired yet (or only these ones)."""
    query = select(DriftItem).where(
        DriftItem.log_id == log_id,
        DriftItem.repairable.is_(True),
        DriftItem.repair_log_id.is_(None),
    )
    if item_ids:
        query = query.where(DriftItem.id.in_(item_ids))
    return list(session.scalars(query.order_by(DriftItem.id)))


def plan(session: Session, connection_id: int, items: list[DriftItem]) -> RepairPlan:
    """Group the items by the job that repairs them; correct Bridge's state where needed."""
    out = RepairPlan()
    odoo_stock = []
    for item in items:
        if item.kind == stock.KIND and item.truth == "odoo" and item.odoo_id:
            out.stock_push.setdefault(item.odoo_id, []).append(item.id)
            odoo_stock.append(item)
        elif item.kind == stock.KIND:
            out.stock_pull.setdefault(item.key, []).append(item.id)
        elif item.kind == prices.KIND and item.truth == "odoo" and item.odoo_template_id:
            out.product_export.setdefault(item.odoo_template_id, []).append(item.id)
        elif item.kind == prices.KIND:
            out.product_import.setdefault(item.key, []).append(item.id)
        elif item.kind == orders.MISSING_ODOO or (
            item.kind == orders.STATE and item.truth == "magento"
        ):
            out.order_pull.setdefault(item.key, []).append(item.id)
        elif item.kind == orders.STATE and item.odoo_id:
            out.fulfillment.setdefault(item.odoo_id, []).append(item.id)
    if odoo_stock:
        stock.correct_levels(session, connection_id, odoo_stock)
    templates = list(out.product_export)
    if out.product_import:
        templates += _templates_of_skus(session, connection_id, list(out.product_import))
    if templates:
        session.execute(
            update(Binding)
            .where(
                Binding.connection_id == connection_id,
                Binding.entity == "product_template",
                Binding.odoo_id.in_(templates),
            )
            .values(fingerprint=None)
        )
    if out.fulfillment:
        _failed_fulfillment(session, connection_id, out)
    return out


def _templates_of_skus(session: Session, connection_id: int, skus: list[str]) -> list[int]:
    ids = [i.odoo_template_id for i in session.scalars(
        select(DriftItem).where(DriftItem.connection_id == connection_id,
                                DriftItem.key.in_(skus), DriftItem.odoo_template_id.is_not(None))
    )]  # fmt: skip
    return sorted({i for i in ids if i})


def _failed_fulfillment(session: Session, connection_id: int, out: RepairPlan) -> None:
    logs = session.scalars(
        select(SyncLog).where(
            SyncLog.connection_id == connection_id,
            SyncLog.entity.like("fulfillment.%"),
            SyncLog.entity != "fulfillment.poll",
            SyncLog.state == LogState.FAILED,
        )
    )
    for log in logs:
        order_id = (log.payload or {}).get("sale_order_id")
        if order_id in out.fulfillment:
            out.failed_fulfillment[log.id] = out.fulfillment[order_id]


def mark_repaired(session: Session, item_ids: list[int], repair_log_id: int) -> None:
    if item_ids:
        session.execute(
            update(DriftItem).where(DriftItem.id.in_(item_ids)).values(repair_log_id=repair_log_id)
        )
