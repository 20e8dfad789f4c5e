"""Reading and recording StockLevels: the quantity per SKU and source both sides agreed on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import StockLevel, utcnow

Key = tuple[str, str]  # (sku, source code)


def load(session: Session, connection_id: int, keys: Iterable[Key]) -> dict[Key, StockLevel]:
    """The stored levels of these keys (one query per 500 SKUs)."""
    wanted = set(keys)
    skus = sorted({sku for sku, _ in wanted})
    out: dict[Key, StockLevel] = {}
    for i in range(0, len(skus), 500):
        rows = session.scalars(
            select(StockLevel).where(
                StockLevel.connection_id == connection_id,
                StockLevel.sku.in_(skus[i : i + 500]),
            )
        )
        out.update({(r.sku, r.source_code): r for r in rows if (r.sku, r.source_code) in wanted})
    return out


def record(
    session: Session,
    connection_id: int,
    quantities: Mapping[Key, float],
    pending: Mapping[Key, float] | None = None,
) -> None:
    """Store what both sides now agree on; `pending` the counts left to validate in Odoo.

    A concurrent writer of the same key makes the flush raise IntegrityError, which the
    task turns into a retry that reads the winner's row.
    """
    if not quantities:
        return
    pending = pending or {}
    stored = load(session, connection_id, quantities)
    now = utcnow()
    for (sku, source), quantity in quantities.items():
        level = stored.get((sku, source))
        if level is None:
            level = StockLevel(connection_id=connection_id, sku=sku, source_code=source)
            session.add(level)
        level.quantity = float(quantity)
        level.pending_count = pending.get((sku, source))
        level.synced_at = now
    session.flush()


def release(session: Session, levels: Iterable[StockLevel]) -> None:
    """Forget counts that are no longer pending in Odoo (applied, changed or discarded)."""
    for level in levels:
        level.pending_count = None
    session.flush()


def expect_shipped(session: Session, connection_id: int, shipped: Mapping[str, float]) -> int:
    """Lower the levels by what a Magento shipment Bridge made will take off the source.

    With MSI, Magento deducts a shipment's quantities from the source it ships from. Odoo
    took them off when the delivery was validated, so without this the deduction would
    read as a new Magento quantity and be counted into Odoo a second time. Only SKUs
    stocked in one source are adjusted: with several, Magento picks the source itself.
    Returns how many levels moved.
    """
    if not shipped:
        return 0
    rows = session.scalars(
        select(StockLevel).where(
            StockLevel.connection_id == connection_id, StockLevel.sku.in_(list(shipped))
        )
    ).all()
    by_sku: dict[str, list[StockLevel]] = {}
    for row in rows:
        by_sku.setdefault(row.sku, []).append(row)
    moved = 0
    for sku, levels in by_sku.items():
        if len(levels) == 1:
            levels[0].quantity = max(0.0, levels[0].quantity - float(shipped[sku]))
            levels[0].synced_at = utcnow()
            moved += 1
    session.flush()
    return moved
