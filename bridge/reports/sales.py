"""Sales: orders and revenue per day or week, per store view and per payment method.

Revenue is kept per currency (a EUR store view is never added to a USD one) and summed
as exact decimals of Odoo's `amount_total`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient
from bridge.reports import order_facts, period_start

Cell = tuple[date, str, str, str]  # period start, store view, payment method, currency


@dataclass
class SalesReport:
    period: str
    #: (period, store view, payment method, currency) -> [orders, revenue]
    cells: dict[Cell, list] = field(default_factory=dict)

    HEADER = ["period", "store view", "payment method", "currency", "orders", "revenue"]

    @property
    def currencies(self) -> list[str]:
        return sorted({c for _, _, _, c in self.cells})

    def periods(self) -> list[date]:
        return sorted({p for p, _, _, _ in self.cells})

    def series(self, by: str) -> dict[str, dict[date, Decimal]]:
        """Revenue per period of each store view (`by="store_view"`) or payment method,
        one series per currency ("French Store View (EUR)")."""
        out: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for (p, view, method, currency), (_, revenue) in self.cells.items():
            out[f"{view if by == 'store_view' else method} ({currency})"][p] += revenue
        return out

    def orders_per_period(self) -> dict[date, int]:
        out: dict[date, int] = defaultdict(int)
        for (p, _, _, _), (count, _) in self.cells.items():
            out[p] += count
        return out

    def rows(self) -> list[list[object]]:
        return [[p.isoformat(), view, method, currency, c[0], f"{c[1]:.2f}"]
                for (p, view, method, currency), c in sorted(self.cells.items())]  # fmt: skip


def sales_report(
    session: Session, odoo: OdooClient, connection_id: int, since: date, period: str = "day"
) -> SalesReport:
    report = SalesReport(period)
    for fact in order_facts(session, odoo, connection_id, since):
        key = (period_start(fact.ordered, period), fact.store_view, fact.payment, fact.currency)
        cell = report.cells.setdefault(key, [0, Decimal(0)])
        cell[0] += 1
        cell[1] += Decimal(str(fact.revenue))
    return report
