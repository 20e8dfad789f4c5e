"""Customers: new vs returning per period, and the top customers by revenue.

A customer is new in the period of their first imported order (ever, not only within
the window), returning in any later period they order in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient
from bridge.reports import order_facts, period_start

TOP = 10


@dataclass
class CustomersReport:
    period: str
    #: period start -> [new customers, returning customers]
    periods: dict[date, list[int]] = field(default_factory=dict)
    #: (customer, orders, revenue), best first
    top: list[tuple[str, int, float]] = field(default_factory=list)

    HEADER = ["period", "new customers", "returning customers"]

    def rows(self) -> list[list[object]]:
        return [[p.isoformat(), n, r] for p, (n, r) in sorted(self.periods.items())]


def customers_report(
    session: Session, odoo: OdooClient, connection_id: int, since: date, period: str = "week"
) -> CustomersReport:
    first: dict[int, date] = {}
    seen: dict[date, set[int]] = defaultdict(set)
    totals: dict[int, list] = {}
    for fact in order_facts(session, odoo, connection_id):
        if fact.customer_id not in first or fact.ordered < first[fact.customer_id]:
            first[fact.customer_id] = fact.ordered
        if fact.ordered < since:
            continue
        seen[period_start(fact.ordered, period)].add(fact.customer_id)
        entry = totals.setdefault(fact.customer_id, [fact.customer, 0, 0.0])
        entry[1] += 1
        entry[2] += fact.revenue
    report = CustomersReport(period)
    for start, customers in seen.items():
        new = sum(1 for c in customers if period_start(first[c], period) == start)
        report.periods[start] = [new, len(customers) - new]
    best = sorted(totals.values(), key=lambda e: (-e[2], e[0]))[:TOP]
    report.top = [(name, count, revenue) for name, count, revenue in best]
    return report
