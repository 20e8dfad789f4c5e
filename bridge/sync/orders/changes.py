"""What happens to an order in Magento after Bridge imported it, followed in Odoo.

Every order pull reads all changed orders, whatever their state (`worth_a_log`), so an
imported order that moves out of the connection's states (on hold, complete, closed)
is still seen. Cancellations and edits into a new order are `bridge.sync.orders.pages`'; the
rest is here:

- Held ("holded"): the hold cannot stop a warehouse worker by itself, so each open
  delivery of the sale order gets a To-Do activity "On hold in Magento: do not ship"
  (on the sale order itself while it has no delivery), the order a note, and the hold is
  bound (entity `hold`). Magento refuses to ship a held order anyway: a delivery
  validated meanwhile fails its shipment log.
- Released (any other state while a hold is bound): the activities are marked done,
  the order gets a note, the hold binding goes.
- Addresses edited in Magento's admin: the sale order's invoice and delivery contacts
  follow (and its open deliveries' address), unless something was delivered already.
- Items or totals changed (only order-editing extensions do that; Magento's own edit
  makes a new order): Odoo is not changed, the log fails saying so, and the sale order
  gets a note, once per change (entity `order_content` keeps what was imported).
- Any other state change (processing, complete, closed): nothing to do in Odoo.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bridge.clients.odoo import OdooClient, m2o_id
from bridge.mappers import customer as cm
from bridge.mappers import order as om
from bridge.models import Connection
from bridge.sync import bindings
from bridge.sync.partners import PartnerIds

HELD_STATES = frozenset({"holded"})
CANCELED_STATES = frozenset({"canceled"})
HOLD_SUMMARY = "On hold in Magento: do not ship"
TODO = "mail.mail_activity_data_todo"
OPEN = ("done", "cancel")


def worth_a_log(
    session: Session, connection: Connection, orders: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The pulled orders Bridge has something to do with: those in the connection's states
    (or canceled), and every order it imported, whatever its state now."""
    states = set(connection.order_states or []) | CANCELED_STATES
    keys = [str(o.get("increment_id")) for o in orders]
    imported = bindings.by_keys(session, connection.id, "order", keys)
    return [o for o in orders if o.get("state") in states or str(o.get("increment_id")) in imported]


@dataclass
class Followed:
    """The outcome per increment id: done (summary) or failed (reason)."""

    done: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    #: Among `done`: the orders whose change was made in Odoo (held, released, addresses).
    changed: set[str] = field(default_factory=set)
    notes: list[tuple[str, int, str]] = field(default_factory=list)


@dataclass
class Changes:
    session: Session
    connection: Connection
    odoo: OdooClient
    #: The contacts an order's addresses resolve to (the order import's PartnerResolver).
    contacts: Callable[[list[om.Order]], dict[str, PartnerIds]]


def follow(ctx: Changes, orders: list[tuple[om.Order, int]]) -> Followed:
    """Follow in Odoo what changed on these imported orders (order, sale.order id)."""
    out = Followed()
    if not orders:
        return out
    held = [(o, so) for o, so in orders if o.state in HELD_STATES]
    rest = [(o, so) for o, so in orders if o.state not in HELD_STATES]
    _hold(ctx, held, out)
    _release(ctx, rest, out)
    _edits(ctx, rest, out)
    for o, so in orders:
        if o.increment_id not in out.done and o.increment_id not in out.failed:
            out.done[o.increment_id] = f"already imported (sale.order {so})"
    tell(ctx.odoo, out.notes)
    return out


# -- holds -------------------------------------------------------------------------------------


def _open_pickings(odoo: OdooClient, order_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    if order_ids:
        for r in odoo.search_read(
            "stock.picking",
            [("sale_id", "in", order_ids), ("state", "not in", list(OPEN))],
            ["sale_id"],
        ):
            found.setdefault(m2o_id(r["sale_id"]) or 0, []).append(r["id"])
    return found


def _hold(ctx: Changes, orders: list[tuple[om.Order, int]], out: Followed) -> None:
    keys = [o.increment_id for o, _ in orders]
    bound = bindings.by_keys(ctx.session, ctx.connection.id, "hold", keys)
    todo = [(o, so) for o, so in orders if o.increment_id not in bound]
    for o, so in orders:
        if o.increment_id in bound:
            out.done[o.increment_id] = f"on hold; sale.order {so} is marked so already"
    if not todo:
        return
    ids = [so for _, so in todo]
    states = {r["id"]: r["state"] for r in ctx.odoo.read("sale.order", ids, ["state"])}
    pickings = _open_pickings(ctx.odoo, ids)
    on_pickings = [p for so in ids for p in pickings.get(so, [])]
    on_orders = [so for so in ids if not pickings.get(so) and states.get(so) in ("draft", "sent")]
    note = "<p>Magento put this order on hold: do not ship it until it is released.</p>"
    if on_pickings:
        ctx.odoo.call("stock.picking", "activity_schedule", on_pickings, act_type_xmlid=TODO,
                      summary=HOLD_SUMMARY, note=note)  # fmt: skip
    if on_orders:
        ctx.odoo.call("sale.order", "activity_schedule", on_orders, act_type_xmlid=TODO,
                      summary=HOLD_SUMMARY, note=note)  # fmt: skip
    for o, so in todo:
        if states.get(so) == "cancel":
            out.done[o.increment_id] = f"on hold in Magento; sale.order {so} is canceled"
            continue
        if so not in on_orders and not pickings.get(so):
            out.done[o.increment_id] = (
                f"on hold in Magento; sale.order {so} has no open delivery: nothing to hold"
            )
            continue
        bindings.bind(ctx.session, ctx.connection.id, "hold", o.increment_id, "sale.order", so)
        where = f"deliveries {pickings[so]}" if pickings.get(so) else "the quotation"
        out.done[o.increment_id] = f"on hold: sale.order {so}, a to-do on {where}"
        out.changed.add(o.increment_id)
        out.notes.append(("sale.order", so, "On hold in Magento: Bridge asked not to ship it "
                          f"(a to-do \"{HOLD_SUMMARY}\" on {where})."))  # fmt: skip


def _release(ctx: Changes, orders: list[tuple[om.Order, int]], out: Followed) -> None:
    keys = [o.increment_id for o, _ in orders]
    bound = bindings.by_keys(ctx.session, ctx.connection.id, "hold", keys)
    released = [(o, so) for o, so in orders if o.increment_id in bound]
    if not released:
        return
    ids = [so for _, so in released]
    pickings = [
        r["id"]
        for r in ctx.odoo.search_read("stock.picking", [("sale_id", "in", ids)], ["id"])
    ]  # fmt: skip
    activities = ctx.odoo.search_read(
        "mail.activity",
        [("summary", "=", HOLD_SUMMARY), ("res_id", "in", sorted({*ids, *pickings}))],
        ["res_model", "res_id"],
    )
    records = {*(("sale.order", i) for i in ids), *(("stock.picking", p) for p in pickings)}
    ours = [a["id"] for a in activities if (a["res_model"], a["res_id"]) in records]
    if ours:
        ctx.odoo.call("mail.activity", "action_feedback", ours, feedback="Released in Magento")
    for o, so in released:
        ctx.session.delete(bound[o.increment_id])
        out.done[o.increment_id] = f"released from hold (now {o.state}): sale.order {so} may ship"
        out.changed.add(o.increment_id)
        out.notes.append(("sale.order", so, f"Released from hold in Magento (now {o.state}): "
                          "it may ship."))  # fmt: skip
    ctx.session.flush()


# -- edits -------------------------------------------------------------------------------------


def bind_content(session: Session, connection_id: int, o: om.Order, sale_order_id: int) -> None:
    """Remember what was imported, to tell a later change of items or totals."""
    known = bindings.by_keys(session, connection_id, "order_content", [o.increment_id])
    if not known:
        bindings.bind(session, connection_id, "order_content", o.increment_id, "sale.order",
                      sale_order_id, om.content_fingerprint(o))  # fmt: skip


def _edits(ctx: Changes, orders: list[tuple[om.Order, int]], out: Followed) -> None:
    keys = [o.increment_id for o, _ in orders]
    content = bindings.by_keys(ctx.session, ctx.connection.id, "order_content", keys)
    same: list[tuple[om.Order, int]] = []
    for o, so in orders:
        fp = om.content_fingerprint(o)
        known = content.get(o.increment_id)
        if known is None:  # imported before Bridge kept it: from now on
            bind_content(ctx.session, ctx.connection.id, o, so)
        elif known.fingerprint != fp:
            known.fingerprint = fp  # told once per change
            reason = (
                f"Magento's order {o.increment_id} changed after import (items or totals; "
                f"grand_total now {o.grand_total:.2f}): sale.order {so} was not changed. Edit "
                "it in Odoo to match, or cancel it there"
            )
            out.failed[o.increment_id] = reason
            out.notes.append(("sale.order", so, f"Bridge: {reason}."))
            continue
        same.append((o, so))
    _addresses(ctx, same, out)


def _addresses(ctx: Changes, orders: list[tuple[om.Order, int]], out: Followed) -> None:
    """Invoice and delivery contacts that follow an address edited in Magento."""
    if not orders:
        return
    ids = [so for _, so in orders]
    rows = {r["id"]: r for r in ctx.odoo.read(
        "sale.order", ids, ["state", "partner_invoice_id", "partner_shipping_id"])}  # fmt: skip
    contacts = {m2o_id(r[f]) for r in rows.values()
                for f in ("partner_invoice_id", "partner_shipping_id")} - {None}  # fmt: skip
    refs = {r["id"]: r["ref"] for r in ctx.odoo.read("res.partner", sorted(contacts), ["ref"])}

    def moved(o: om.Order, row: dict[str, Any]) -> bool:
        wanted = (cm.address_key(o.billing), cm.address_key(o.shipping or o.billing))
        held = (refs.get(m2o_id(row["partner_invoice_id"]) or 0),
                refs.get(m2o_id(row["partner_shipping_id"]) or 0))  # fmt: skip
        return wanted != held

    candidates = [(o, so) for o, so in orders if rows[so]["state"] != "cancel"
                  and moved(o, rows[so])]  # fmt: skip
    if not candidates:
        return
    resolved = ctx.contacts([o for o, _ in candidates])
    delivered = _delivered(ctx.odoo, [so for _, so in candidates])
    for o, so in candidates:
        ids = resolved.get(o.increment_id)
        row = rows[so]
        if ids is None:
            continue
        change: dict[str, int] = {}
        if ids.invoice_id != m2o_id(row["partner_invoice_id"]):
            change["partner_invoice_id"] = ids.invoice_id
        if ids.delivery_id != m2o_id(row["partner_shipping_id"]):
            if so in delivered:
                out.done[o.increment_id] = (
                    f"the delivery address changed in Magento after sale.order {so} shipped: "
                    "not changed in Odoo"
                )
                text = ("Bridge: the delivery address changed in Magento after this order "
                        "shipped; Odoo keeps the old one.")  # fmt: skip
                out.notes.append(("sale.order", so, text))
            else:
                change["partner_shipping_id"] = ids.delivery_id
        if not change:
            continue
        ctx.odoo.write("sale.order", [so], change,
                       context={"update_delivery_shipping_partner": True})  # fmt: skip
        if "partner_shipping_id" in change:
            open_ids = _open_pickings(ctx.odoo, [so]).get(so, [])
            if open_ids:
                ctx.odoo.write("stock.picking", open_ids, {"partner_id": ids.delivery_id})
        what = " and ".join(
            {"partner_invoice_id": "invoice", "partner_shipping_id": "delivery"}[k] for k in change
        )
        out.done[o.increment_id] = f"{what} address edited in Magento: sale.order {so} follows"
        out.changed.add(o.increment_id)
        out.notes.append(("sale.order", so, f"The {what} address was edited in Magento; Bridge "
                          "updated this order."))  # fmt: skip


def _delivered(odoo: OdooClient, order_ids: list[int]) -> set[int]:
    return {
        m2o_id(r["sale_id"]) or 0
        for r in odoo.search_read(
            "stock.picking", [("sale_id", "in", order_ids), ("state", "=", "done")], ["sale_id"]
        )
    }


# -- notes -------------------------------------------------------------------------------------


def tell(odoo: OdooClient, notes: list[tuple[str, int, str]]) -> None:
    """Internal notes, (model, id, text), in the records' chatter, in one call.

    `message_post` takes one record per call; these are the `mail.message` records it
    makes by default (an internal note, `mail.mt_note`), created for the whole page.
    """
    if not notes:
        return
    subtype = note_subtype(odoo)
    odoo.create("mail.message", [
        {"model": model, "res_id": rid, "body": f"<p>{html.escape(text)}</p>",
         "message_type": "comment", "subtype_id": subtype}
        for model, rid, text in notes
    ])  # fmt: skip


def note_subtype(odoo: OdooClient) -> int | bool:
    """`mail.mt_note`: what `message_post` uses by default, an internal note."""
    found = odoo.search_read(
        "ir.model.data", [("module", "=", "mail"), ("name", "=", "mt_note")], ["res_id"], limit=1
    )
    return found[0]["res_id"] if found else False
