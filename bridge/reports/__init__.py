"""Reports for merchants: sales, inventory and customers, as tables, chart series and CSV.

Orders come from Bridge's state and Odoo together: the orders Bridge imported are its
`order` bindings; Odoo says what each is worth and when it was ordered (`amount_total`,
`date_order`, the customer), and the order's log in Bridge keeps what Odoo does not
know (the Magento store view and payment method; "unknown" once the log was purged).
Odoo is read in pages of `PAGE` ids. Inventory reads both sides page by page, as the
drift report does (`bridge.sync.drift.stock`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient
from bridge.models import Binding, PaymentMethod, StoreView, SyncLog

PAGE = 500
ODOO_TIME = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class OrderFact:
    """One imported order, as the reports count it."""

    increment_id: str
    ordered: date
    revenue: float
    currency: str
    store_view: str
    payment: str
    customer_id: int
    customer: str


def period_start(day: date, period: str) -> date:
    """The day itself, or the Monday of its week."""
    return day - timedelta(days=day.weekday()) if period == "week" else day


def order_facts(
    session: Session, odoo: OdooClient, connection_id: int, since: date | None = None
) -> Iterator[OrderFact]:
    """The connection's imported orders Odoo has, not canceled, ordered on or after `since`."""
    views = {
        v.magento_id: v.name
        for v in session.scalars(select(StoreView).where(StoreView.connection_id == connection_id))
    }
    methods = {
        m.code: m.title
        for m in session.scalars(
            select(PaymentMethod).where(PaymentMethod.connection_id == connection_id)
        )
    }
    last = 0
    while True:
        rows = session.execute(
            select(Binding.id, Binding.magento_key, Binding.odoo_id)
            .where(
                Binding.connection_id == connection_id,
                Binding.entity == "order",
                Binding.id > last,
            )
            .order_by(Binding.id)
            .limit(PAGE)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        ids = {odoo_id: key for _, key, odoo_id in rows}
        domain: list = [("id", "in", sorted(ids)), ("state", "!=", "cancel")]
        if since:
            domain.append(("date_order", ">=", since.strftime(ODOO_TIME)))
        orders = odoo.search_read(
            "sale.order", domain, ["amount_total", "date_order", "currency_id", "partner_id"]
        )
        details = _magento_details(session, connection_id, list(ids.values()))
        for o in orders:
            key = ids[o["id"]]
            store_id, method = details.get(key, (None, None))
            partner = o.get("partner_id") or [0, "unknown"]
            currency = o.get("currency_id") or [0, ""]
            yield OrderFact(
                increment_id=key,
                ordered=datetime.strptime(str(o["date_order"])[:19], ODOO_TIME).date(),
                revenue=float(o.get("amount_total") or 0),
                currency=str(currency[1]) if isinstance(currency, list) else "",
                store_view=views.get(store_id, "unknown") if store_id is not None else "unknown",
                payment=methods.get(method, method or "unknown"),
                customer_id=int(partner[0]) if isinstance(partner, list) else int(partner),
                customer=str(partner[1]) if isinstance(partner, list) else str(partner),
            )


def _magento_details(
    session: Session, connection_id: int, keys: list[str]
) -> dict[str, tuple[int | None, str | None]]:
    """Increment id -> (store id, payment method) from the newest order log of each."""
    out: dict[str, tuple[int | None, str | None]] = {}
    logs = session.execute(
        select(SyncLog.key, SyncLog.payload)
        .where(
            SyncLog.connection_id == connection_id,
            SyncLog.entity == "order",
            SyncLog.key.in_(keys),
        )
        .order_by(SyncLog.id.desc())
    )
    for key, payload in logs:
        if key in out or not isinstance(payload, dict):
            continue
        store = payload.get("store_id")
        method = (payload.get("payment") or {}).get("method")
        out[key] = (int(store) if store is not None else None, method)
    return out


def to_csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
