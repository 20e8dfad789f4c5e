"""Drift: where Magento and Odoo disagree, found by reading both sides page by page.

A report compares what each side holds now, not what Bridge believes it sent:

- stock (`stock.py`): the quantity per SKU and Magento source against Odoo's free
  quantity at the warehouses mapped to it;
- prices (`prices.py`): each bound SKU's Magento price against Odoo's sale price;
- orders (`orders.py`): orders Magento has that Odoo lacks, orders Bridge bound that
  Magento lacks, and order states that disagree (shipped, invoiced or canceled on one
  side only), within a window of days.

Every comparison walks the SKUs or orders in pages (`PAGE` keys per page: one Magento
search and a fixed number of Odoo reads each), writes the page's differences as
`DriftItem` rows at once and keeps nothing else, so memory stays flat and the number of
remote calls grows with pages, not records. Each difference names the side whose value
should win (`truth`) and why; `repair.py` turns differences into the normal sync jobs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from bridge.clients.magento import MagentoClient
from bridge.clients.odoo import OdooClient
from bridge.models import Connection, DriftItem

#: The log entity of a drift report.
ENTITY = "drift"
#: What a report can compare, in the order a full report runs them.
ENTITIES = ("stock", "prices", "orders")
#: Keys (SKUs, orders) per page: one Magento search filter each (fits in a GET URL).
PAGE = 200
#: Days of orders a report compares by default.
ORDER_DAYS = 30


@dataclass
class DriftContext:
    session: Session
    connection: Connection
    magento: MagentoClient
    odoo: OdooClient
    log_id: int
    #: Orders created at or after this are compared.
    since: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Write one page's differences now (no ORM objects kept in the session)."""
        if not rows:
            return
        for row in rows:
            row.setdefault("scope", "")
            row.setdefault("repairable", True)
            row.update(log_id=self.log_id, connection_id=self.connection.id)
            self.counts[row["kind"]] = self.counts.get(row["kind"], 0) + 1
        self.session.execute(insert(DriftItem), rows)


def number(value: float | None, decimals: int = 4) -> str | None:
    """A quantity or price as text for a DriftItem ("12", "12.5"); None stays None."""
    if value is None:
        return None
    return f"{round(float(value), decimals):g}"


def run_report(ctx: DriftContext, entities: list[str]) -> dict[str, Any]:
    """Compare the named entities; counts of what was compared and what differs."""
    from bridge.sync.drift import orders, prices, stock

    runners = {"stock": stock.compare, "prices": prices.compare, "orders": orders.compare}
    # A retried run starts over: what an earlier attempt wrote is replaced, not doubled.
    ctx.session.execute(delete(DriftItem).where(DriftItem.log_id == ctx.log_id))
    magento_before = ctx.magento.requests_made
    odoo_before = ctx.odoo.calls_made
    compared: dict[str, int] = {}
    for name in entities:
        compared[name] = runners[name](ctx)
    calls = {
        "magento": ctx.magento.requests_made - magento_before,
        "odoo": ctx.odoo.calls_made - odoo_before,
    }
    total = sum(ctx.counts.values())
    parts = ", ".join(f"{compared[n]} {n}" for n in entities)
    return {
        "summary": f"{total} difference(s) after comparing {parts} "
        f"({calls['magento']} Magento and {calls['odoo']} Odoo calls)",
        "entities": list(entities),
        "compared": compared,
        "differences": dict(ctx.counts),
        "total": total,
        "remote_calls": calls,
        "since": ctx.since.isoformat() if ctx.since else None,
    }
