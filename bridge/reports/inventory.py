"""Inventory: quantities per Magento source and per Odoo warehouse, and the SKUs out of
stock on one side only, read page by page like the stock drift report."""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.mappers import stock as sm
from bridge.sync.drift import DriftContext
from bridge.sync.drift.stock import StockSides, bound_pages


@dataclass
class InventoryReport:
    #: warehouse code -> [on hand, free]
    warehouses: dict[str, list[float]] = field(default_factory=dict)
    #: source code -> quantity
    sources: dict[str, float] = field(default_factory=dict)
    #: (SKU, source, Magento quantity, Odoo free quantity, which side is out)
    one_side_out: list[tuple[str, str, float | None, float, str]] = field(default_factory=list)
    skus: int = 0

    HEADER = ["sku", "source", "magento quantity", "odoo free quantity", "out of stock in"]

    def rows(self) -> list[list[object]]:
        return [[s, src, "" if m is None else f"{m:g}", f"{o:g}", side]
                for s, src, m, o, side in self.one_side_out]  # fmt: skip


def inventory_report(ctx: DriftContext) -> InventoryReport:
    """`ctx` gives the session and clients; nothing is written."""
    sides = StockSides(ctx)
    report = InventoryReport()
    for page in bound_pages(ctx):
        by_id = {pid: sku for sku, pid in page.items()}
        quantities, storable = sides.odoo(sorted(by_id))
        skus = {pid: sku for pid, sku in by_id.items() if pid in storable}
        report.skus += len(skus)
        for code, per_product in quantities.items():
            totals = report.warehouses.setdefault(code, [0.0, 0.0])
            for q in per_product.values():
                totals[0] += q.qty_available
                totals[1] += sm.free_quantity(q)
        odoo = sm.source_quantities(sides.mapping, quantities, skus)
        magento = sides.magento(sorted(skus.values()))
        for (_, source), qty in magento.items():
            report.sources[source] = report.sources.get(source, 0.0) + qty
        for (sku, source), free in sorted(odoo.items()):
            m = magento.get((sku, source))
            m_out, o_out = (m or 0) <= 0, free <= 0
            if m_out != o_out:
                side = "Magento" if m_out else "Odoo"
                report.one_side_out.append((sku, source, m, free, side))
    return report
