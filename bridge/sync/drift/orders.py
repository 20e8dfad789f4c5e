"""Order drift within a window: missing on one side, or states that disagree.

- Magento -> Odoo: Magento's orders created in the window, a page of `PAGE` at a time
  (`items[increment_id,state,items[...]]`), each page looked up in Odoo by
  `client_order_ref` in one search. An order in one of the connection's imported states
  that Odoo lacks is missing there (Magento is right: orders are born in Magento).
- Odoo -> Magento: the orders Bridge bound in the window, `PAGE` at a time, looked up in
  Magento by increment id in one search. One Magento lacks cannot be repaired by Bridge
  (it never creates orders in Magento): the difference names it for a person.
- States, for orders on both sides: canceled on one side only; delivered in full in
  Odoo while Magento shipped less; invoiced in Odoo while Magento invoiced nothing.
  Shipments, invoices and Odoo cancellations flow Odoo -> Magento (Odoo is right);
  a Magento cancellation flows Magento -> Odoo (Magento is right).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bridge.clients.magento_search import SearchCriteria
from bridge.models import Binding
from bridge.sync.drift import PAGE, DriftContext, number

MISSING_ODOO, MISSING_MAGENTO, STATE = "order_missing_odoo", "order_missing_magento", "order_state"
FIELDS = (
    "items[entity_id,increment_id,state,status,created_at,"
    "items[item_id,parent_item_id,qty_ordered,qty_shipped,qty_invoiced,qty_canceled,is_virtual]]"
)
ODOO_FIELDS = ["client_order_ref", "state", "delivery_status", "invoice_status"]
MAGENTO_TIME = "%Y-%m-%d %H:%M:%S"
CLOSED = ("canceled", "closed")


def compare(ctx: DriftContext) -> int:
    return _magento_side(ctx) + _odoo_side(ctx)


def _quantities(order: dict[str, Any]) -> dict[str, float]:
    """Ordered, shipped and invoiced units of the lines that ship (children of nothing)."""
    totals = {"ordered": 0.0, "shipped": 0.0, "invoiced": 0.0}
    for item in order.get("items") or []:
        if item.get("parent_item_id"):
            continue
        ordered = float(item.get("qty_ordered") or 0) - float(item.get("qty_canceled") or 0)
        totals["ordered"] += ordered
        totals["shipped"] += float(item.get("qty_shipped") or 0)
        totals["invoiced"] += float(item.get("qty_invoiced") or 0)
    return totals


def _magento_value(order: dict[str, Any]) -> str:
    q = _quantities(order)
    return (
        f"{order.get('state')}; shipped {number(q['shipped'])}/{number(q['ordered'])}, "
        f"invoiced {number(q['invoiced'])}/{number(q['ordered'])}"
    )


def _odoo_value(record: dict[str, Any]) -> str:
    return (
        f"{record.get('state')}; delivery {record.get('delivery_status') or 'none'}, "
        f"invoice {record.get('invoice_status') or 'none'}"
    )


def _magento_side(ctx: DriftContext) -> int:
    criteria = SearchCriteria().order_by("entity_id", "ASC")
    if ctx.since:
        criteria = criteria.where("created_at", ctx.since.strftime(MAGENTO_TIME), "gteq")
    imported = set(ctx.connection.order_states or [])
    compared = 0
    for page in ctx.magento.search("orders", criteria, fields=FIELDS, page_size=PAGE):
        refs = [str(o.get("increment_id")) for o in page if o.get("increment_id")]
        found = {
            str(r["client_order_ref"]): r
            for r in ctx.odoo.search_read(
                "sale.order", [("client_order_ref", "in", refs)], ODOO_FIELDS
            )
            if r.get("client_order_ref")
        }
        rows = []
        for order in page:
            ref = str(order.get("increment_id") or "")
            if not ref:
                continue
            compared += 1
            state = str(order.get("state") or "")
            record = found.get(ref)
            if record is None:
                if state in imported or state in ("complete", "closed"):
                    rows.append(_missing_in_odoo(ref, order, imported))
                continue
            row = _state_difference(ref, order, record)
            if row is not None:
                rows.append(row)
        ctx.add(rows)
    return compared


def _missing_in_odoo(ref: str, order: dict[str, Any], imported: set[str]) -> dict[str, Any]:
    state = str(order.get("state"))
    row: dict[str, Any] = {
        "kind": MISSING_ODOO,
        "key": ref,
        "magento_value": _magento_value(order),
        "odoo_value": None,
        "truth": "magento",
        "note": "orders are born in Magento: the order pull imports it",
    }
    if state not in imported:
        row["repairable"] = False
        row["note"] = (
            f"Magento's order is {state}, a state this connection does not import "
            f"({', '.join(sorted(imported))}); add it to order_states to import it"
        )
    return row


def _state_difference(
    ref: str, order: dict[str, Any], record: dict[str, Any]
) -> dict[str, Any] | None:
    m_state, o_state = str(order.get("state") or ""), str(record.get("state") or "")
    q = _quantities(order)
    base = {
        "kind": STATE,
        "key": ref,
        "magento_value": _magento_value(order),
        "odoo_value": _odoo_value(record),
        "odoo_id": record["id"],
    }
    if m_state == "canceled" and o_state != "cancel":
        return {**base, "truth": "magento",
                "note": "canceled in Magento, not in Odoo: the order pull cancels it in Odoo "
                        "(unless Odoo shipped it)"}  # fmt: skip
    if o_state == "cancel" and m_state not in CLOSED and q["shipped"] > 0:
        return {**base, "truth": "odoo", "repairable": False,
                "note": "canceled in Odoo after Magento shipped it: Magento cannot cancel a "
                        "shipped order; take the goods back and refund them with a credit "
                        "note in Odoo (fulfillment sends the credit memo)"}  # fmt: skip
    if o_state == "cancel" and m_state not in CLOSED:
        return {**base, "truth": "odoo",
                "note": "canceled in Odoo, not in Magento: fulfillment sends the cancellation "
                        "(or a credit memo for a paid order)"}  # fmt: skip
    if o_state == "cancel" or m_state in CLOSED:
        return None
    if record.get("delivery_status") == "full" and q["shipped"] + 1e-9 < q["ordered"]:
        return {**base, "truth": "odoo",
                "note": "delivered in Odoo, not shipped in full in Magento: fulfillment sends "
                        "the shipment"}  # fmt: skip
    if record.get("invoice_status") == "invoiced" and q["invoiced"] == 0 and q["ordered"] > 0:
        note = "invoiced in Odoo, not in Magento: fulfillment sends the invoice"
        return {**base, "truth": "odoo", "note": note}
    return None


def _odoo_side(ctx: DriftContext) -> int:
    """Orders Bridge bound in the window that Magento no longer has."""
    last = 0
    compared = 0
    while True:
        query = (
            select(Binding.id, Binding.magento_key, Binding.odoo_id)
            .where(
                Binding.connection_id == ctx.connection.id,
                Binding.entity == "order",
                Binding.id > last,
            )
            .order_by(Binding.id)
            .limit(PAGE)
        )
        if ctx.since:
            query = query.where(Binding.created_at >= ctx.since)
        rows = ctx.session.execute(query).all()
        if not rows:
            return compared
        last = rows[-1][0]
        refs = {str(ref): odoo_id for _, ref, odoo_id in rows}
        criteria = SearchCriteria().where("increment_id", sorted(refs), "in")
        seen: set[str] = set()
        for items in ctx.magento.search(
            "orders", criteria, fields="items[increment_id]", page_size=PAGE
        ):
            seen |= {str(o.get("increment_id")) for o in items}
        compared += len(refs)
        ctx.add(
            [
                {
                    "kind": MISSING_MAGENTO,
                    "key": ref,
                    "magento_value": None,
                    "odoo_value": f"sale.order {odoo_id}",
                    "truth": "magento",
                    "note": "Bridge imported this order, and Magento no longer has it; Bridge "
                    "never creates orders in Magento: cancel the Odoo order if it should go",
                    "odoo_id": odoo_id,
                    "repairable": False,
                }
                for ref, odoo_id in sorted(refs.items())
                if ref not in seen
            ]
        )
