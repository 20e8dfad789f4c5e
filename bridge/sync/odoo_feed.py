"""What changed in Odoo that Magento must hear about, found by polling `write_date`.

Four feeds, each with its own cursor: validated deliveries, paid customer invoices,
canceled sale orders and posted credit notes. Only records of orders this connection
imported count, and a record whose change is already in Magento (bound) is left out,
so re-reading the overlap window costs a query, not a Magento call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient, m2o_id
from bridge.sync import bindings, pull

ODOO_TIME = "%Y-%m-%d %H:%M:%S"
OVERLAP = timedelta(minutes=5)
BATCH = 500


@dataclass(frozen=True)
class Feed:
    kind: str
    model: str
    domain: tuple[tuple[str, str, Any], ...]
    fields: tuple[str, ...]


FEEDS = (
    Feed("shipment", "stock.picking",
         (("state", "=", "done"), ("picking_type_id.code", "=", "outgoing"),
          ("sale_id", "!=", False)), ("sale_id",)),
    Feed("invoice", "account.move",
         (("move_type", "=", "out_invoice"), ("state", "=", "posted"),
          ("payment_state", "in", ["paid", "in_payment"])), ()),
    Feed("cancel", "sale.order", (("state", "=", "cancel"),), ()),
    Feed("refund", "account.move",
         (("move_type", "=", "out_refund"), ("state", "=", "posted")), ("reversed_entry_id",)),
)  # fmt: skip


@dataclass(frozen=True)
class Change:
    kind: str
    model: str
    odoo_id: int
    sale_order_id: int
    write_date: str


def _start(cursor: str | None) -> str | None:
    if not cursor:
        return None
    return (datetime.strptime(cursor, ODOO_TIME) - OVERLAP).strftime(ODOO_TIME)


def _orders_of_moves(odoo: OdooClient, move_ids: list[int]) -> dict[int, int]:
    if not move_ids:
        return {}
    out: dict[int, int] = {}
    for so in odoo.search_read("sale.order", [("invoice_ids", "in", move_ids)], ["invoice_ids"]):
        for move in so["invoice_ids"]:
            out[move] = so["id"]
    return out


def changes(
    session: Session,
    odoo: OdooClient,
    connection_id: int,
    feed: Feed,
    *,
    order_ids: list[int] | None = None,
    batch: int = BATCH,
) -> tuple[list[Change], str | None]:
    """Changes of one feed since its cursor (or of some orders); and the cursor to keep."""
    stream = f"odoo.{feed.kind}"
    current = pull.cursor_value(session, connection_id, stream)
    domain: list[Any] = list(feed.domain)
    start = None if order_ids else _start(current)
    if start:
        domain.append(("write_date", ">=", start))
    rows = _read_all(odoo, feed, domain, batch)
    order_of = _order_ids(odoo, feed, rows)
    if order_ids:
        rows = [r for r in rows if order_of.get(r["id"]) in set(order_ids)]
    ours = bindings.bound_odoo_ids(session, connection_id, "order", set(order_of.values()))
    done = bindings.bound_odoo_ids(session, connection_id, feed.kind, [r["id"] for r in rows])
    found = [
        Change(feed.kind, feed.model, r["id"], order_of[r["id"]], r["write_date"])
        for r in rows
        if order_of.get(r["id"]) in ours and r["id"] not in done
    ]
    newest = max([current or "", *(r["write_date"] for r in rows)]) or None
    return found, (None if order_ids else newest)


def _read_all(odoo: OdooClient, feed: Feed, domain: list[Any], batch: int) -> list[dict[str, Any]]:
    """Every record the domain matches, `batch` at a time, oldest first.

    Read by key (after the last `write_date`, `id` read), not by offset: reading only the
    first batch would stall the feed for good once more than a batch of records changed
    within the overlap, since each poll would start over at the same records.
    """
    rows: list[dict[str, Any]] = []
    after: list[Any] = []
    while True:
        found = odoo.search_read(
            feed.model, [*after, *domain], ["write_date", *feed.fields],
            order="write_date asc, id asc", limit=batch,
        )  # fmt: skip
        rows += found
        if len(found) < batch:
            return rows
        last = found[-1]
        after = ["|", ("write_date", ">", last["write_date"]),
                 "&", ("write_date", "=", last["write_date"]), ("id", ">", last["id"])]  # fmt: skip


def _order_ids(odoo: OdooClient, feed: Feed, rows: list[dict[str, Any]]) -> dict[int, int]:
    """The sale order each changed record belongs to."""
    if feed.kind == "shipment":
        return {r["id"]: m2o_id(r["sale_id"]) for r in rows if r.get("sale_id")}
    if feed.kind == "cancel":
        return {r["id"]: r["id"] for r in rows}
    if feed.kind == "invoice":
        return _orders_of_moves(odoo, [r["id"] for r in rows])
    originals = {
        r["id"]: m2o_id(r["reversed_entry_id"]) for r in rows if r.get("reversed_entry_id")
    }
    by_invoice = _orders_of_moves(odoo, sorted(set(originals.values())))
    return {note: by_invoice[inv] for note, inv in originals.items() if inv in by_invoice}
