"""Stock drift: Magento's quantity per SKU and source against Odoo's free quantity there.

The SKUs are those the product sync bound (`product` bindings), walked in pages of
`PAGE` ordered by SKU. Per page: one Odoo read per mapped warehouse (with `warehouse_id`
in the context, as the stock sync reads) and one Magento source-items search (a store
without MSI: its legacy stock item per SKU, the only way Magento's API offers).

Which side is right follows the stock sync's own rules (`bridge.sync.stock.flows`), judged
against the quantity both sides last agreed on (`StockLevel`):

- only Odoo moved since: Odoo (its change was not pushed yet, or was lost);
- only Magento moved: Magento when the connection's inventory sync is on (a Magento
  change is counted into Odoo), else Odoo, the stock of record;
- both moved, or never agreed: Odoo, the warehouse that holds the goods, except for a
  never-agreed SKU Odoo holds none of with inventory sync on (the stock sync counts
  Magento's quantity into Odoo first);
- a count from Magento still waiting for validation in Odoo: Magento, not repairable
  until someone validates or discards that count.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.mappers import stock as sm
from bridge.models import Binding, DriftItem, StockLevel
from bridge.sync.drift import PAGE, DriftContext, number
from bridge.sync.stock import levels as stock_levels
from bridge.sync.stock import odoo as stock_odoo
from bridge.sync.stock.magento import MagentoStock

KIND = "stock"


def bound_pages(ctx: DriftContext) -> Iterator[dict[str, int]]:
    """SKU -> product.product id of the bound products, `PAGE` at a time (keyset by SKU)."""
    last = ""
    while True:
        rows = ctx.session.execute(
            select(Binding.magento_key, Binding.odoo_id)
            .where(
                Binding.connection_id == ctx.connection.id,
                Binding.entity == stock_odoo.ENTITY,
                Binding.magento_key > last,
            )
            .order_by(Binding.magento_key)
            .limit(PAGE)
        ).all()
        if not rows:
            return
        yield {sku: odoo_id for sku, odoo_id in rows}
        last = rows[-1][0]


class StockSides:
    """Reads one page of SKUs on both sides; set up once per report (warehouses, sources)."""

    def __init__(self, ctx: DriftContext) -> None:
        self.ctx = ctx
        self.houses = stock_odoo.warehouses(ctx.odoo)
        mapping = sm.source_map(ctx.connection.stock_sources, self.houses)
        self.shop = MagentoStock(ctx.magento)
        self.shop.sources()
        self.mapping = sm.pushed_sources(mapping, self.shop.msi)
        codes = set(self.mapping)
        self.mapped = [h for h in self.houses if h.code in codes]

    def odoo(self, ids: list[int]) -> tuple[dict[str, dict[int, sm.OdooQuantity]], set[int]]:
        """Per warehouse code, each storable product's quantities; and the storable ids."""
        out: dict[str, dict[int, sm.OdooQuantity]] = {}
        storable: set[int] = set()
        for house in self.mapped:
            rows = self.ctx.odoo.read(
                "product.product",
                ids,
                ["qty_available", "free_qty", "is_storable"],
                context={"warehouse_id": house.id},
            )
            storable = {r["id"] for r in rows if r.get("is_storable")}
            out[house.code] = {
                r["id"]: sm.OdooQuantity(
                    float(r.get("qty_available") or 0), float(r.get("free_qty") or 0)
                )
                for r in rows
                if r["id"] in storable
            }
        return out, storable

    def magento(self, skus: list[str]) -> dict[tuple[str, str], float]:
        """(SKU, source) -> Magento's quantity, at the sources Odoo warehouses feed."""
        sources = set(self.mapping.values())
        found: dict[tuple[str, str], float] = {}
        if self.shop.msi:
            for item in self.shop.source_items(skus):
                key = (str(item.get("sku")), str(item.get("source_code")))
                if key[1] in sources:
                    found[key] = float(item.get("quantity") or 0)
            return found
        for sku in skus:
            quantity = self.shop.legacy_quantity(sku)
            if quantity is not None:
                found[(sku, sm.DEFAULT_SOURCE)] = quantity
        return found


def compare(ctx: DriftContext) -> int:
    """Write the stock differences of every bound SKU; returns the (SKU, source) pairs read."""
    sides = StockSides(ctx)
    compared = 0
    for page in bound_pages(ctx):
        by_id = {pid: sku for sku, pid in page.items()}
        quantities, storable = sides.odoo(sorted(by_id))
        skus = {pid: sku for pid, sku in by_id.items() if pid in storable}
        odoo = sm.source_quantities(sides.mapping, quantities, skus)
        on_hand = _on_hand(quantities)
        magento = sides.magento(sorted(skus.values()))
        levels = stock_levels.load(ctx.session, ctx.connection.id, odoo)
        rows = []
        for (sku, source), odoo_qty in sorted(odoo.items()):
            compared += 1
            magento_qty = magento.get((sku, source))
            if sm.same(odoo_qty, magento_qty) or (magento_qty is None and sm.same(odoo_qty, 0)):
                continue
            pid = page[sku]
            truth, note, repairable = judge(
                ctx, levels.get((sku, source)), odoo_qty, magento_qty, on_hand.get(pid, 0.0)
            )
            rows.append(
                {
                    "kind": KIND,
                    "key": sku,
                    "scope": source,
                    "magento_value": number(magento_qty),
                    "odoo_value": number(odoo_qty),
                    "truth": truth,
                    "note": note,
                    "odoo_id": pid,
                    "repairable": repairable,
                }
            )
        ctx.add(rows)
    return compared


def _on_hand(quantities: dict[str, dict[int, sm.OdooQuantity]]) -> dict[int, float]:
    total: dict[int, float] = {}
    for per_product in quantities.values():
        for pid, q in per_product.items():
            total[pid] = total.get(pid, 0.0) + q.qty_available
    return total


def judge(
    ctx: DriftContext,
    level: StockLevel | None,
    odoo: float,
    magento: float | None,
    on_hand: float,
) -> tuple[str, str, bool]:
    """(truth, why, repairable) for one (SKU, source) whose sides differ."""
    syncs_back = ctx.connection.inventory_sync
    if level is None:
        if syncs_back and sm.same(on_hand, 0):
            return (
                "magento",
                (
                    "never agreed on, and Odoo holds none: Magento's quantity is counted into "
                    "Odoo first (as the stock sync does)"
                ),
                True,
            )
        return "odoo", "never agreed on: Odoo's quantity goes to Magento first", True
    agreed = number(level.quantity)
    if level.pending_count is not None:
        return (
            "magento",
            (
                f"a count of {number(level.pending_count)} on hand from Magento waits for "
                "validation in Odoo (Inventory > Physical Inventory): apply or discard it"
            ),
            False,
        )
    odoo_moved = not sm.same(level.quantity, odoo)
    magento_moved = not sm.same(level.quantity, magento)
    if odoo_moved and not magento_moved:
        return "odoo", f"Odoo changed since both sides agreed on {agreed}", True
    if magento_moved and not odoo_moved:
        if syncs_back:
            return "magento", f"Magento changed since both sides agreed on {agreed}", True
        return (
            "odoo",
            (
                f"Magento changed since both sides agreed on {agreed}, but inventory sync is "
                "off for this connection: Odoo is the stock of record"
            ),
            True,
        )
    return (
        "odoo",
        (
            f"both sides changed since they agreed on {agreed}: Odoo, the warehouse that holds "
            "the goods, is the stock of record"
        ),
        True,
    )


def correct_levels(session: Session, connection_id: int, items: list[DriftItem]) -> None:
    """Before a push repairs Odoo-truth items: the agreed level becomes what Magento holds.

    The push sends only what differs from the agreed level; Magento drifted away from
    it behind Bridge's back, so the level is set to what the report saw in Magento (or
    forgotten when Magento has no source item) and the normal push sends Odoo's figure.
    """
    keyed = {(i.key, i.scope): i for i in items}
    seen = {k: float(i.magento_value) for k, i in keyed.items() if i.magento_value is not None}
    stock_levels.record(session, connection_id, seen)
    missing = [k for k, i in keyed.items() if i.magento_value is None]
    for sku, source in missing:
        level = session.scalars(
            select(StockLevel).where(
                StockLevel.connection_id == connection_id,
                StockLevel.sku == sku,
                StockLevel.source_code == source,
            )
        ).first()
        if level is not None:
            session.delete(level)
    session.flush()
