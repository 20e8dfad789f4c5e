"""Sales: orders and revenue per day or week, per store view and per payment method."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient
from bridge.reports import order_facts, period_start


@dataclass
class SalesReport:
    period: str
    #: (period start, store view, payment method) -> [orders, revenue]
    cells: dict[tuple[date, str, str], list[float]] = field(default_factory=dict)
    currencies: set[str] = field(default_factory=set)

    def periods(self) -> list[date]:
        return sorted({p for p, _, _ in self.cells})

    def series(self, by: str) -> dict[str, dict[date, float]]:
        """Revenue per period for each store view (`by="store_view"`) or payment method."""
        out: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
        for (p, view, method), (_, revenue) in self.cells.items():
            out[view if by == "store_view" else method][p] += revenue
        return out

    def orders_per_period(self) -> dict[date, int]:
        out: dict[date, int] = defaultdict(int)
        for (p, _, _), (count, _) in self.cells.items():
            out[p] += int(count)
        return out

    def rows(self) -> list[list[object]]:
        return [[p.isoformat(), view, method, int(c[0]), f"{c[1]:.2f}"]
                for (p, view, method), c in sorted(self.cells.items())]  # fmt: skip

    HEADER = ["period", "store view", "payment method", "orders", "revenue"]


def sales_report(
    session: Session, odoo: OdooClient, connection_id: int, since: date, period: str = "day"
) -> SalesReport:
    report = SalesReport(period)
    for fact in order_facts(session, odoo, connection_id, since):
        cell = report.cells.setdefault(
            (period_start(fact.ordered, period), fact.store_view, fact.payment), [0, 0.0]
        )
        cell[0] += 1
        cell[1] += fact.revenue
        report.currencies.add(fact.currency)
    return report
